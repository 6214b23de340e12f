"""Recurring pros and cons per root category (English and Chinese), so review summaries have something to find."""

from __future__ import annotations

# root -> (pros, cons); each item is (english, chinese)
PROS_CONS: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "Shoes": (
        (
            ("great grip on wet rocks", "湿滑路面抓地力很好"),
            ("comfortable right out of the box", "上脚即舒适"),
            ("very light on the feet", "非常轻"),
            ("feet stayed dry in the rain", "下雨天脚也是干的"),
            ("plenty of cushioning for long runs", "长跑缓震充足"),
        ),
        (
            ("runs half a size small", "尺码偏小半码"),
            ("laces keep coming undone", "鞋带容易松"),
            ("sole wore out after a few months", "鞋底几个月就磨平了"),
            ("gets hot in summer", "夏天穿有点闷"),
            ("narrow toe box", "鞋头偏窄"),
        ),
    ),
    "Apparel": (
        (
            ("fabric feels soft", "面料很柔软"),
            ("true to size", "尺码标准"),
            ("kept me dry in a downpour", "大雨中也不湿"),
            ("colour stays after many washes", "洗多次不褪色"),
            ("warm without being bulky", "保暖又不臃肿"),
        ),
        (
            ("shrinks in the wash", "洗后缩水"),
            ("seams started to fray", "缝线开线"),
            ("sleeves are too long", "袖子偏长"),
            ("zip feels cheap", "拉链质量一般"),
            ("pills after a few wears", "穿几次就起球"),
        ),
    ),
    "Outdoor": (
        (
            ("sets up in minutes", "几分钟就能搭好"),
            ("stayed dry through a storm", "暴雨中保持干燥"),
            ("packs down small", "收纳体积小"),
            ("comfortable hip belt", "腰带很舒服"),
            ("warm on cold nights", "寒夜也很暖和"),
        ),
        (
            ("heavier than advertised", "比标称重"),
            ("zips snag", "拉链容易卡"),
            ("condensation inside", "内部有冷凝水"),
            ("stakes bend easily", "地钉容易弯"),
            ("straps dig into shoulders", "肩带勒肩"),
        ),
    ),
    "Electronics": (
        (
            ("battery lasts for days", "续航好几天"),
            ("clear, punchy sound", "音质清晰有力"),
            ("noise cancelling works well on flights", "飞机上降噪效果很好"),
            ("pairs instantly", "配对很快"),
            ("charges quickly", "充电速度快"),
        ),
        (
            ("connection drops now and then", "偶尔断连"),
            ("app is clunky", "配套应用不好用"),
            ("tight fit after an hour", "戴久了夹头"),
            ("battery degraded after months", "几个月后电池衰减"),
            ("charging port feels loose", "充电口松动"),
        ),
    ),
    "Computers": (
        (
            ("fast and responsive", "运行流畅"),
            ("excellent screen", "屏幕很棒"),
            ("satisfying key feel", "键感很好"),
            ("long battery life", "续航长"),
            ("comfortable for long sessions", "长时间使用也舒适"),
        ),
        (
            ("fan gets loud", "风扇噪音大"),
            ("runs hot under load", "高负载发热"),
            ("driver issues on setup", "驱动安装有问题"),
            ("stand wobbles", "支架晃动"),
            ("keycaps show shine quickly", "键帽容易打油"),
        ),
    ),
    "Home & Kitchen": (
        (
            ("easy to clean", "容易清洗"),
            ("heats evenly", "受热均匀"),
            ("makes great coffee", "咖啡味道很好"),
            ("stays sharp", "刀刃锋利持久"),
            ("powerful motor", "马力强劲"),
        ),
        (
            ("coating scratched quickly", "涂层容易刮花"),
            ("loud when running", "运行噪音大"),
            ("handle gets hot", "手柄会烫"),
            ("lid does not seal well", "盖子密封不好"),
            ("hard to descale", "除垢麻烦"),
        ),
    ),
    "Furniture": (
        (
            ("sturdy once assembled", "组装后很稳固"),
            ("great back support", "腰背支撑好"),
            ("easy assembly", "安装简单"),
            ("looks more expensive than it is", "看起来比价格更高档"),
            ("smooth height adjustment", "升降顺滑"),
        ),
        (
            ("instructions are confusing", "说明书看不懂"),
            ("missing screws", "缺少螺丝"),
            ("wobbles at full height", "升到最高会晃"),
            ("cushion flattens over time", "坐垫久了会塌"),
            ("scratches easily", "容易刮花"),
        ),
    ),
    "Beauty": (
        (
            ("absorbs quickly", "吸收很快"),
            ("gentle on sensitive skin", "敏感肌也温和"),
            ("lovely subtle scent", "香味淡雅"),
            ("skin feels hydrated all day", "全天保湿"),
            ("a little goes a long way", "用量省"),
        ),
        (
            ("caused a breakout", "用了长痘"),
            ("scent fades fast", "留香时间短"),
            ("pump stopped working", "按压泵坏了"),
            ("leaves a greasy film", "有点油腻"),
            ("small bottle for the price", "价格偏贵量少"),
        ),
    ),
    "Sports & Fitness": (
        (
            ("does not slip even when sweaty", "出汗也不打滑"),
            ("solid build", "做工扎实"),
            ("quick weight changes", "换重量方便"),
            ("comfortable fit", "佩戴舒适"),
            ("good cushioning for knees", "护膝缓冲好"),
        ),
        (
            ("strong rubber smell", "橡胶味重"),
            ("edges curl up", "边缘卷起"),
            ("adjustment mechanism sticks", "调节机构卡顿"),
            ("straps are flimsy", "绑带不结实"),
            ("heavier than expected", "比预期重"),
        ),
    ),
    "Toys & Games": (
        (
            ("kids love it", "孩子很喜欢"),
            ("great for game night", "适合聚会"),
            ("pieces fit perfectly", "拼块严丝合缝"),
            ("clear instructions", "说明清楚"),
            ("high replay value", "耐玩"),
        ),
        (
            ("rules are confusing", "规则难懂"),
            ("pieces missing", "缺件"),
            ("box arrived damaged", "包装盒破损"),
            ("too easy for the age", "对这个年龄太简单"),
            ("cardboard feels thin", "纸板偏薄"),
        ),
    ),
    "Books": (
        (
            ("could not put it down", "一口气读完"),
            ("beautifully written", "文笔优美"),
            ("recipes actually work", "菜谱很实用"),
            ("clear explanations", "讲解清晰"),
            ("gorgeous photos", "插图精美"),
        ),
        (
            ("slow middle section", "中间节奏拖沓"),
            ("typos throughout", "错别字多"),
            ("binding came apart", "装订散页"),
            ("ending felt rushed", "结尾仓促"),
            ("hard-to-find ingredients", "食材难买"),
        ),
    ),
    "Pet Supplies": (
        (
            ("my dog sleeps on it every night", "狗狗每晚都睡在上面"),
            ("cat plays with it daily", "猫天天玩"),
            ("easy to wash", "好清洗"),
            ("my pet loves the taste", "宠物爱吃"),
            ("holds up to chewing", "很耐咬"),
        ),
        (
            ("torn apart in a day", "一天就被咬坏"),
            ("cover shrinks in the wash", "外套洗后缩水"),
            ("upset my dog's stomach", "狗狗吃了肠胃不适"),
            ("smaller than pictured", "比图片小"),
            ("strong chemical smell", "有化学味"),
        ),
    ),
    "Grocery": (
        (
            ("fresh and fragrant", "新鲜香气足"),
            ("smooth, no bitterness", "顺滑不苦"),
            ("great value per cup", "每杯很划算"),
            ("resealable bag keeps it fresh", "自封袋保鲜"),
            ("healthy snack", "健康零食"),
        ),
        (
            ("stale on arrival", "到货不新鲜"),
            ("too bitter", "太苦"),
            ("bag arrived torn", "包装袋破了"),
            ("too salty", "太咸"),
            ("flavour is weak", "味道淡"),
        ),
    ),
    "Bags & Travel": (
        (
            ("fits overhead bins easily", "轻松放进行李架"),
            ("wheels glide smoothly", "轮子顺滑"),
            ("keeps drinks cold all day", "全天保冷"),
            ("slim and holds all my cards", "轻薄能装很多卡"),
            ("survived rough handling", "经得起暴力托运"),
        ),
        (
            ("shell scuffs easily", "外壳易刮花"),
            ("zipper broke", "拉链坏了"),
            ("lid leaks", "杯盖漏水"),
            ("wheel cracked after one trip", "一次旅行轮子就裂了"),
            ("stitching came loose", "缝线松了"),
        ),
    ),
}

OPENERS = {
    5: (("Love it!", "非常满意！"), ("Excellent.", "太棒了。"), ("Five stars.", "五星好评。")),
    4: (("Really good.", "很不错。"), ("Happy with it.", "挺满意的。"), ("Would buy again.", "会回购。")),
    3: (("It's okay.", "一般般。"), ("Mixed feelings.", "有好有坏。"), ("Decent for the price.", "价格对得起质量。")),
    2: (("Disappointed.", "有点失望。"), ("Not great.", "不太好。"), ("Expected more.", "期望更高。")),
    1: (("Do not buy.", "不推荐购买。"), ("Terrible.", "很差。"), ("Returned it.", "已退货。")),
}
