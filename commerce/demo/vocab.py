"""Catalog vocabulary for the demo shop: categories, brands at price tiers, adjectives, attributes and option axes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Tier = Literal["budget", "mid", "premium"]
TIER_PRICE = {"budget": 0.7, "mid": 1.0, "premium": 1.6}


@dataclass(frozen=True)
class Sub:
    """A leaf category; `attributes` add to the root's, `options` (when given) replace the root's option axes."""

    name: str
    noun: str
    zh: str
    low: float
    high: float
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    options: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Adjective:
    """A title adjective; `sets` fixes attributes it implies, `only` limits it to some subcategories."""

    en: str
    zh: str
    sets: dict[str, str] = field(default_factory=dict)
    only: tuple[str, ...] = ()


@dataclass(frozen=True)
class Root:
    name: str
    zh: str
    brands: dict[str, Tier]
    subs: tuple[Sub, ...]
    adjectives: tuple[Adjective, ...]
    attributes: dict[str, tuple[str, ...]]
    options: tuple[str, ...]


COLOURS = ("black", "white", "navy", "grey", "red", "green", "blue", "orange", "beige", "purple")

OPTION_VALUES: dict[str, tuple[str, ...]] = {
    "size": ("XS", "S", "M", "L", "XL", "XXL"),
    "shoe size": ("6", "7", "8", "9", "10", "11", "12"),
    "colour": COLOURS,
    "capacity": ("20L", "30L", "45L", "65L"),
    "volume": ("500ml", "750ml", "1000ml"),
    "storage": ("256GB", "512GB", "1TB"),
    "layout": ("US", "UK", "DE"),
    "weight": ("250g", "500g", "1kg"),
    "format": ("paperback", "hardcover", "ebook"),
    "pet size": ("small", "medium", "large"),
    "finish": ("oak", "walnut", "white", "black"),
    "bottle": ("30ml", "50ml", "100ml"),
    "load": ("2kg", "5kg", "10kg", "20kg"),
}

A = Adjective
YES_NO = ("yes", "no")
WIRELESS = ("USB-C", "Bluetooth", "2.4GHz")

ROOTS: tuple[Root, ...] = (
    Root(
        "Shoes",
        "鞋类",
        {"Stridelite": "budget", "Trailforge": "mid", "Northpeak": "mid", "Alpenwalk": "premium"},
        (
            Sub("Trail Running", "Trail Running Shoes", "越野跑鞋", 70, 150, {"drop": ("4mm", "6mm", "8mm")}),
            Sub("Road Running", "Running Shoes", "跑鞋", 60, 140, {"drop": ("6mm", "8mm", "10mm")}),
            Sub("Hiking Boots", "Hiking Boots", "徒步靴", 90, 210, {"ankle": ("mid", "high")}),
            Sub("Sneakers", "Sneakers", "休闲运动鞋", 45, 120),
        ),
        (
            A("Waterproof", "防水", {"waterproof": "yes"}),
            A("Lightweight", "轻量"),
            A("Cushioned", "缓震"),
            A("Grippy", "强抓地", only=("Trail Running", "Hiking Boots")),
            A("Breathable", "透气", {"waterproof": "no"}),
            A("Wide-Fit", "宽楦", {"fit": "wide"}),
        ),
        {
            "material": ("mesh", "leather", "synthetic", "knit"),
            "waterproof": YES_NO,
            "fit": ("regular", "narrow", "wide"),
        },
        ("shoe size", "colour"),
    ),
    Root(
        "Apparel",
        "服装",
        {"Basicly": "budget", "Urban Thread": "mid", "Fjellwear": "mid", "Meridian": "premium"},
        (
            Sub("Jackets", "Jacket", "夹克", 60, 260, {"waterproof": YES_NO, "hood": YES_NO}),
            Sub("T-Shirts", "T-Shirt", "T恤", 15, 45, {"neck": ("crew neck", "v-neck")}),
            Sub("Hoodies", "Hoodie", "连帽衫", 35, 90),
            Sub("Pants", "Pants", "长裤", 35, 110, {"leg": ("straight", "tapered")}),
        ),
        (
            A("Waterproof", "防水", {"waterproof": "yes"}, only=("Jackets",)),
            A("Organic Cotton", "有机棉", {"material": "organic cotton"}, only=("T-Shirts", "Hoodies")),
            A("Insulated", "保暖", only=("Jackets", "Hoodies")),
            A("Stretch", "弹力"),
            A("Quick-Dry", "速干", {"material": "polyester"}),
            A("Slim-Fit", "修身", {"fit": "slim"}),
        ),
        {"material": ("cotton", "polyester", "wool", "nylon"), "fit": ("regular", "slim", "relaxed")},
        ("size", "colour"),
    ),
    Root(
        "Outdoor",
        "户外",
        {"Campcraft": "budget", "Northpeak": "mid", "Ridgeline": "mid", "Arcturus": "premium"},
        (
            Sub(
                "Tents",
                "Tent",
                "帐篷",
                80,
                420,
                {"season": ("3-season", "4-season"), "sleeps": ("1", "2", "3", "4")},
                ("colour",),
            ),
            Sub(
                "Sleeping Bags",
                "Sleeping Bag",
                "睡袋",
                50,
                280,
                {"comfort rating": ("-5°C", "0°C", "5°C"), "fill": ("down", "synthetic")},
                ("colour",),
            ),
            Sub("Backpacks", "Backpack", "背包", 40, 230, {"hydration compatible": YES_NO}),
        ),
        (
            A("Ultralight", "超轻"),
            A("Waterproof", "防水", {"waterproof": "yes"}),
            A("4-Season", "四季", {"season": "4-season"}, only=("Tents",)),
            A("Packable", "便携"),
            A("Rugged", "耐磨"),
        ),
        {
            "material": ("ripstop nylon", "polyester", "canvas"),
            "waterproof": YES_NO,
            "weight": ("0.9kg", "1.4kg", "2.1kg", "3.0kg"),
        },
        ("capacity", "colour"),
    ),
    Root(
        "Electronics",
        "电子产品",
        {"Voltix": "budget", "Sonora": "mid", "Pulsewave": "mid", "Aurion": "premium"},
        (
            Sub(
                "Headphones",
                "Wireless Headphones",
                "无线耳机",
                30,
                380,
                {"noise cancelling": YES_NO, "battery life": ("20h", "30h", "40h")},
            ),
            Sub("Speakers", "Bluetooth Speaker", "蓝牙音箱", 25, 300, {"battery life": ("8h", "12h", "24h")}),
            Sub(
                "Smartwatches",
                "Smartwatch",
                "智能手表",
                60,
                450,
                {"gps": YES_NO, "battery life": ("2 days", "7 days", "14 days")},
            ),
            Sub("Power Banks", "Power Bank", "充电宝", 15, 90, {"capacity": ("10000mAh", "20000mAh", "26800mAh")}),
        ),
        (
            A("Noise-Cancelling", "降噪", {"noise cancelling": "yes"}, only=("Headphones",)),
            A("Waterproof", "防水", {"waterproof": "yes"}, only=("Speakers", "Smartwatches")),
            A("Long-Battery", "长续航"),
            A("Compact", "小巧"),
            A("Fast-Charging", "快充"),
        ),
        {"waterproof": YES_NO, "connectivity": ("Bluetooth 5.3", "Bluetooth 5.0", "USB-C")},
        ("colour",),
    ),
    Root(
        "Computers",
        "电脑办公",
        {"Keystone": "budget", "Logix": "mid", "Cortex": "mid", "Vantage": "premium"},
        (
            Sub(
                "Laptops",
                "Laptop",
                "笔记本电脑",
                450,
                2200,
                {"screen": ("13 inch", "14 inch", "16 inch"), "ram": ("8GB", "16GB", "32GB")},
                ("storage", "colour"),
            ),
            Sub(
                "Keyboards",
                "Mechanical Keyboard",
                "机械键盘",
                35,
                220,
                {"switch": ("red", "brown", "blue"), "connectivity": WIRELESS},
                ("layout",),
            ),
            Sub(
                "Mice",
                "Wireless Mouse",
                "无线鼠标",
                15,
                130,
                {"dpi": ("1600", "4000", "16000"), "connectivity": WIRELESS},
                ("colour",),
            ),
            Sub(
                "Monitors",
                "Monitor",
                "显示器",
                140,
                900,
                {"resolution": ("1080p", "1440p", "4K"), "refresh rate": ("60Hz", "144Hz", "240Hz")},
                (),
            ),
        ),
        (
            A("Ultra-Thin", "超薄", only=("Laptops", "Monitors")),
            A("Gaming", "电竞", {"use": "gaming"}),
            A("Ergonomic", "人体工学", only=("Keyboards", "Mice")),
            A("Wireless", "无线", only=("Keyboards", "Mice")),
            A("4K", "4K", {"resolution": "4K"}, only=("Monitors",)),
        ),
        {"use": ("office", "gaming", "creative")},
        ("colour",),
    ),
    Root(
        "Home & Kitchen",
        "家居厨房",
        {"Kitchenly": "budget", "Hearthstone": "mid", "Copperleaf": "mid", "Maison Or": "premium"},
        (
            Sub(
                "Coffee Makers",
                "Coffee Maker",
                "咖啡机",
                40,
                600,
                {"power": ("900W", "1200W", "1500W"), "type": ("drip", "espresso", "pour-over")},
            ),
            Sub(
                "Cookware",
                "Frying Pan",
                "煎锅",
                25,
                220,
                {"material": ("stainless steel", "cast iron", "aluminium"), "induction ready": YES_NO},
                ("colour",),
            ),
            Sub(
                "Knives",
                "Chef's Knife",
                "主厨刀",
                20,
                260,
                {"blade": ("20cm", "21cm", "24cm"), "steel": ("German", "Japanese VG-10")},
                (),
            ),
            Sub("Blenders", "Blender", "搅拌机", 35, 450, {"power": ("600W", "1000W", "1400W")}),
        ),
        (
            A("Non-Stick", "不粘", only=("Cookware",)),
            A("Programmable", "可编程", only=("Coffee Makers", "Blenders")),
            A("Dishwasher-Safe", "可洗碗机清洗", {"dishwasher safe": "yes"}),
            A("Compact", "小巧"),
            A("Professional", "专业"),
        ),
        {"dishwasher safe": YES_NO},
        ("colour", "volume"),
    ),
    Root(
        "Furniture",
        "家具",
        {"Flatpack Co": "budget", "Oakhaven": "mid", "Nordform": "mid", "Atelier Nine": "premium"},
        (
            Sub(
                "Office Chairs",
                "Office Chair",
                "办公椅",
                90,
                900,
                {"armrest": ("fixed", "adjustable"), "material": ("mesh", "leather", "fabric")},
            ),
            Sub(
                "Desks",
                "Standing Desk",
                "升降桌",
                150,
                950,
                {"width": ("120cm", "140cm", "160cm"), "material": ("solid wood", "engineered wood")},
            ),
            Sub(
                "Bookshelves",
                "Bookshelf",
                "书架",
                50,
                420,
                {"shelves": ("3", "4", "5"), "material": ("solid wood", "engineered wood", "steel")},
            ),
        ),
        (
            A("Ergonomic", "人体工学", only=("Office Chairs",)),
            A("Adjustable", "可调节", only=("Office Chairs", "Desks")),
            A("Solid Wood", "实木", {"material": "solid wood"}, only=("Desks", "Bookshelves")),
            A("Minimalist", "极简"),
            A("Mesh-Back", "网背", {"material": "mesh"}, only=("Office Chairs",)),
        ),
        {"assembly": ("required", "none"), "max load": ("100kg", "120kg", "150kg")},
        ("finish",),
    ),
    Root(
        "Beauty",
        "美妆个护",
        {"Purely": "budget", "Bloom & Co": "mid", "Lumina": "mid", "Maison Iris": "premium"},
        (
            Sub("Skincare", "Face Moisturizer", "面霜", 12, 120, {"skin type": ("all", "dry", "oily", "sensitive")}),
            Sub("Hair Care", "Shampoo", "洗发水", 8, 60, {"hair type": ("all", "curly", "fine", "colour-treated")}),
            Sub("Fragrance", "Eau de Parfum", "香水", 35, 220, {"notes": ("citrus", "floral", "woody", "amber")}),
        ),
        (
            A("Fragrance-Free", "无香", {"scent": "unscented"}, only=("Skincare", "Hair Care")),
            A("Hydrating", "保湿"),
            A("Vegan", "纯素", {"vegan": "yes"}),
            A("Sensitive-Skin", "敏感肌适用", {"skin type": "sensitive"}, only=("Skincare",)),
            A("Long-Lasting", "持久", only=("Fragrance",)),
        ),
        {"vegan": YES_NO, "scent": ("citrus", "floral", "woody", "unscented")},
        ("bottle",),
    ),
    Root(
        "Sports & Fitness",
        "运动健身",
        {"FitCore": "budget", "Ironpeak": "mid", "Velocity": "mid", "Olympia Pro": "premium"},
        (
            Sub(
                "Yoga Mats",
                "Yoga Mat",
                "瑜伽垫",
                18,
                130,
                {"thickness": ("4mm", "6mm", "8mm"), "material": ("TPE", "natural rubber", "PVC")},
                ("colour",),
            ),
            Sub(
                "Dumbbells",
                "Adjustable Dumbbell",
                "可调哑铃",
                30,
                420,
                {"material": ("cast iron", "steel", "rubber-coated")},
                ("load",),
            ),
            Sub("Cycling Helmets", "Cycling Helmet", "骑行头盔", 35, 260, {"mips": YES_NO}, ("size", "colour")),
        ),
        (
            A("Non-Slip", "防滑", only=("Yoga Mats",)),
            A("Eco", "环保", {"material": "natural rubber"}, only=("Yoga Mats",)),
            A("Adjustable", "可调节", only=("Dumbbells", "Cycling Helmets")),
            A("Lightweight", "轻量"),
            A("Ventilated", "透气", only=("Cycling Helmets",)),
            A("Home Gym", "家用"),
        ),
        {},
        ("colour",),
    ),
    Root(
        "Toys & Games",
        "玩具游戏",
        {"Playnest": "budget", "Brickworks": "mid", "Mindgames": "mid", "Heirloom Toys": "premium"},
        (
            Sub(
                "Board Games",
                "Board Game",
                "桌游",
                15,
                90,
                {"players": ("1-4", "2-4", "2-6", "3-8"), "playing time": ("30 min", "60 min", "90 min")},
            ),
            Sub("Puzzles", "Jigsaw Puzzle", "拼图", 10, 50, {"pieces": ("300", "500", "1000", "1500")}),
            Sub("Building Sets", "Building Set", "积木套装", 20, 250, {"pieces": ("250", "800", "1500", "3000")}),
        ),
        (
            A("Family", "家庭"),
            A("Strategy", "策略", only=("Board Games",)),
            A("1000-Piece", "1000片", {"pieces": "1000"}, only=("Puzzles",)),
            A("STEM", "STEM益智", only=("Building Sets",)),
            A("Cooperative", "合作", only=("Board Games",)),
        ),
        {"age": ("3+", "6+", "8+", "12+", "adult")},
        (),
    ),
    Root(
        "Books",
        "图书",
        {"Paperlane": "budget", "Inkwell Press": "mid", "Harbor House": "mid", "Folio Editions": "premium"},
        (
            Sub("Fiction", "Novel", "小说", 9, 35, {"genre": ("mystery", "fantasy", "literary", "sci-fi")}),
            Sub("Cookbooks", "Cookbook", "食谱", 15, 55, {"cuisine": ("Italian", "Chinese", "vegetarian", "baking")}),
            Sub("Science", "Science Book", "科普书", 12, 45, {"topic": ("space", "biology", "physics", "climate")}),
        ),
        (A("Bestselling", "畅销"), A("Illustrated", "图文"), A("Award-Winning", "获奖"), A("Beginner's", "入门")),
        {"language": ("English", "Chinese"), "pages": ("220", "320", "480")},
        ("format",),
    ),
    Root(
        "Pet Supplies",
        "宠物用品",
        {"Pawsy": "budget", "Happy Tails": "mid", "Whisker Co": "mid", "Regal Pet": "premium"},
        (
            Sub("Dog Beds", "Dog Bed", "狗窝", 25, 180, {"material": ("memory foam", "plush", "canvas")}),
            Sub("Cat Toys", "Cat Toy", "猫玩具", 5, 40, {"material": ("felt", "rubber", "feather")}, ()),
            Sub(
                "Pet Food",
                "Dry Pet Food",
                "宠物干粮",
                15,
                90,
                {"pet": ("dog", "cat"), "diet": ("regular", "grain-free")},
                ("weight",),
            ),
        ),
        (
            A("Orthopedic", "护脊", only=("Dog Beds",)),
            A("Washable", "可水洗", only=("Dog Beds",)),
            A("Grain-Free", "无谷", {"diet": "grain-free"}, only=("Pet Food",)),
            A("Interactive", "互动", only=("Cat Toys",)),
            A("Natural", "天然"),
        ),
        {},
        ("pet size",),
    ),
    Root(
        "Grocery",
        "食品",
        {"Daily Pantry": "budget", "Leaf & Bean": "mid", "Highland Farms": "mid", "Reserve Estate": "premium"},
        (
            Sub(
                "Tea",
                "Loose Leaf Tea",
                "散装茶叶",
                6,
                45,
                {"tea": ("green", "black", "oolong", "pu-erh"), "origin": ("Yunnan", "Fujian", "Japan", "Darjeeling")},
            ),
            Sub(
                "Coffee Beans",
                "Coffee Beans",
                "咖啡豆",
                9,
                50,
                {"roast": ("light", "medium", "dark"), "origin": ("Ethiopia", "Colombia", "Kenya", "Yunnan")},
            ),
            Sub("Snacks", "Trail Mix", "什锦坚果", 4, 25, {"allergens": ("nuts", "nuts, soy")}),
        ),
        (
            A("Organic", "有机", {"organic": "yes"}),
            A("Single-Origin", "单一产地", only=("Tea", "Coffee Beans")),
            A("Decaf", "低因", only=("Coffee Beans",)),
            A("Fair-Trade", "公平贸易"),
            A("Dark Roast", "深烘", {"roast": "dark"}, only=("Coffee Beans",)),
            A("Unsalted", "无盐", only=("Snacks",)),
        ),
        {"organic": YES_NO},
        ("weight",),
    ),
    Root(
        "Bags & Travel",
        "箱包旅行",
        {"Roamer": "budget", "Wayfare": "mid", "Transit Lab": "mid", "Voyager Luxe": "premium"},
        (
            Sub(
                "Suitcases",
                "Carry-On Suitcase",
                "登机箱",
                70,
                480,
                {"material": ("polycarbonate", "aluminium", "nylon"), "wheels": ("2", "4")},
            ),
            Sub("Wallets", "Wallet", "钱包", 15, 160, {"material": ("leather", "nylon"), "rfid blocking": YES_NO}),
            Sub(
                "Water Bottles",
                "Water Bottle",
                "保温水杯",
                12,
                55,
                {"material": ("stainless steel", "glass", "plastic")},
                ("volume", "colour"),
            ),
        ),
        (
            A("Hardshell", "硬壳", only=("Suitcases",)),
            A("RFID-Blocking", "防盗刷", {"rfid blocking": "yes"}, only=("Wallets",)),
            A("Insulated", "保温", {"material": "stainless steel"}, only=("Water Bottles",)),
            A("Expandable", "可扩展", only=("Suitcases",)),
            A("Leather", "真皮", {"material": "leather"}, only=("Wallets",)),
            A("Travel", "旅行"),
        ),
        {"warranty": ("1 year", "2 years", "lifetime")},
        ("colour",),
    ),
)

SERIES = (
    "Apex",
    "Summit",
    "Flow",
    "Core",
    "Nova",
    "Terra",
    "Pulse",
    "Aero",
    "Vista",
    "Edge",
    "Zen",
    "Atlas",
    "Orbit",
    "Drift",
    "Ember",
    "Halo",
    "Quest",
    "Strata",
    "Tempo",
    "Vector",
)

TIER_PITCH = {
    "budget": ("Great value for everyday use.", "高性价比，适合日常使用。"),
    "mid": ("A dependable all-rounder at a fair price.", "品质可靠，价格适中。"),
    "premium": ("Premium materials and craftsmanship, built to last.", "高端用料与做工，经久耐用。"),
}
