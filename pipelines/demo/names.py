"""Chinese names for generated committees: people, branches, zones, places and topics.

Surnames are weighted roughly by how common they are, so a generated roster reads like a real one.
"""

from __future__ import annotations

import numpy as np

# The most common surnames, most frequent first (weights fall off along the list).
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Characters seen in given names; a given name is one or two of them.
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建军志强文辉海燕红梅玉兰春梅鹏飞宇浩然"
    "子涵欣怡思远晨阳佳琪雨轩博文嘉怡俊杰立新振华德明国庆卫东小龙永刚金凤凤英晓东晓梅亚楠丹丹婷婷"
    "斌彬成林波宁坤峰亮凯健琳雪颖慧莉萍倩蕾楠琦瑶璐冰雯晶欢鑫帆旭阳昊天航宏远晖毅刚勋瑞祥"
)

# Departments of a power plant (seed 002 is a generating sub-factory): the stems of branch names.
DEPARTMENTS = ["运行", "检修", "燃料", "化学", "热控", "电气", "锅炉", "汽机", "安全监察", "物资供应",
               "后勤服务", "生产技术", "计划经营", "信息通信", "环保", "调度"]
# Companies and sites that own branches at provincial scale.
SITES = ["华能", "大唐", "国电", "华电", "龙源", "长江", "黄河", "东方", "西部", "滨海", "北山", "南湖",
         "清河", "金沙", "青山", "白云", "红旗", "新城", "东港", "平原"]

# The demo committee of seed 002: 15 branches in 4 zones (zones 1 and 3 plan the first half-year,
# zones 2 and 4 the second). Each tuple: branch name, zone number (1-4).
DEMO_BRANCHES = [
    ("运行一党支部", 1), ("运行二党支部", 1), ("燃料党支部", 1), ("机关党支部", 1),
    ("运行三党支部", 2), ("运行四党支部", 2), ("化学党支部", 2), ("安全监察党支部", 2),
    ("检修一党支部", 3), ("检修二党支部", 3), ("热控党支部", 3), ("电气党支部", 3),
    ("检修三党支部", 4), ("物资供应党支部", 4), ("后勤服务党支部", 4),
]
DEMO_COMMITTEE = "发电分厂党委"
ZONE_NAMES = ["第一协作区", "第二协作区", "第三协作区", "第四协作区"]

PLACES = ["党员活动室", "三楼会议室", "集控室会议室", "检修车间学习室", "厂史教育馆", "红色教育基地", "班组学习园地",
          "安全教育培训中心"]
TOPICS_MANDATORY = ["学习贯彻党的二十大精神", "学习党章党规党纪", "党史学习教育", "学习习近平总书记重要讲话精神",
                    "警示教育：以案为鉴", "民主评议党员", "组织生活会学习研讨", "庆祝建党专题学习"]
TOPICS_OPTIONAL = ["主题党日+安全生产：查隐患、促整改、保安全", "主题党日+技术攻关：党员立项攻关交流",
                   "主题党日+志愿服务：走进社区", "主题党日+微党课", "主题党日+挖潜增效合理化建议",
                   "主题党日+岗位练兵", "主题党日+节能降耗", "主题党日+班组建设经验交流"]

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 40 -> 四十, 105 -> 一百零五, 2500 -> 二千五百 (ordinals up to 99,999)."""
    if n == 0:
        return _DIGITS[0]
    units = [(10000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")]
    out, zero = "", False
    for value, unit in units:
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out += _DIGITS[0]
            out += _DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out[1:] if out.startswith("一十") else out


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random names (surname + one or two given characters), as a numpy array of str."""
    weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.7
    surname = rng.choice(np.array(SURNAMES), size=n, p=weights / weights.sum())
    given = np.array(GIVEN)
    first = rng.choice(given, size=n)
    second = rng.choice(given, size=n)
    two = rng.random(n) < 0.7
    out = np.char.add(np.char.add(surname, first), np.where(two, second, ""))
    return np.asarray(out, dtype=object)


def branch_names(n: int) -> list[str]:
    """``n`` distinct branch names: the demo's 15 first, then site + department + ordinal."""
    out = [name for name, _ in DEMO_BRANCHES][:n]
    i = 0
    while len(out) < n:
        site = SITES[(i // len(DEPARTMENTS)) % len(SITES)]
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        ordinal = i // (len(DEPARTMENTS) * len(SITES)) + 1
        out.append(f"{site}{dept}{chinese_number(ordinal)}党支部")
        i += 1
    return out
