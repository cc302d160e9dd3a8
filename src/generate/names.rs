//! Word lists for names of people, companies and products.

/// Sales regions, in the order they are used.
pub(super) const REGIONS: &[&str] = &["华东", "华南", "华北", "西南", "华中", "西北", "东北"];

/// Cities of each region of [`REGIONS`]: (Chinese, pinyin).
pub(super) const CITIES: &[&[(&str, &str)]] = &[
    &[
        ("上海", "Shanghai"),
        ("杭州", "Hangzhou"),
        ("南京", "Nanjing"),
        ("苏州", "Suzhou"),
        ("宁波", "Ningbo"),
        ("合肥", "Hefei"),
        ("厦门", "Xiamen"),
        ("青岛", "Qingdao"),
    ],
    &[
        ("深圳", "Shenzhen"),
        ("广州", "Guangzhou"),
        ("东莞", "Dongguan"),
        ("佛山", "Foshan"),
        ("南宁", "Nanning"),
        ("海口", "Haikou"),
    ],
    &[
        ("北京", "Beijing"),
        ("天津", "Tianjin"),
        ("石家庄", "Shijiazhuang"),
        ("太原", "Taiyuan"),
        ("呼和浩特", "Hohhot"),
    ],
    &[
        ("成都", "Chengdu"),
        ("重庆", "Chongqing"),
        ("昆明", "Kunming"),
        ("贵阳", "Guiyang"),
    ],
    &[
        ("武汉", "Wuhan"),
        ("长沙", "Changsha"),
        ("郑州", "Zhengzhou"),
        ("南昌", "Nanchang"),
    ],
    &[
        ("西安", "Xi'an"),
        ("兰州", "Lanzhou"),
        ("银川", "Yinchuan"),
        ("乌鲁木齐", "Urumqi"),
    ],
    &[
        ("沈阳", "Shenyang"),
        ("大连", "Dalian"),
        ("长春", "Changchun"),
        ("哈尔滨", "Harbin"),
    ],
];

/// Chinese numerals for team names.
pub(super) const TEAM_NUMERALS: &[&str] =
    &["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// Chinese family names.
pub(super) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "欧阳",
];

/// Chinese given names.
pub(super) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "婷", "雪", "浩", "宇", "鑫", "晨", "欣怡", "子轩",
    "博文", "思远", "嘉怡", "梓涵", "俊杰", "晓东", "海燕", "建华", "文博", "一鸣",
];

/// English given names used by Chinese staff.
pub(super) const EN_GIVEN: &[&str] = &[
    "Emily", "David", "Michael", "Jason", "Kevin", "Grace", "Linda", "Tony", "Vivian", "Eric",
    "Sophia", "Jack", "Cindy", "Frank", "Helen", "Peter", "Amy", "Leo", "Iris", "Sam",
];

/// Pinyin family names.
pub(super) const EN_SURNAMES: &[&str] = &[
    "Chen", "Wang", "Li", "Zhang", "Liu", "Huang", "Zhou", "Wu", "Lin", "Xu", "Zhao", "Sun", "Ma",
    "Guo", "He", "Tan",
];

/// Trade names of Chinese companies.
pub(super) const TRADE_NAMES: &[&str] = &[
    "华瑞",
    "金桥",
    "恒信",
    "宏达",
    "鑫源",
    "联创",
    "天成",
    "永盛",
    "瑞丰",
    "中科",
    "新世纪",
    "东方",
    "博远",
    "嘉禾",
    "润泽",
    "启航",
    "佳美",
    "众诚",
    "海纳",
    "汇通",
];

/// Industries of Chinese companies.
pub(super) const INDUSTRIES: &[&str] = &[
    "贸易",
    "机械",
    "电子",
    "科技",
    "食品",
    "建材",
    "医疗器械",
    "物流",
    "化工",
    "五金",
];

/// Legal-form suffixes of Chinese companies.
pub(super) const SUFFIXES: &[&str] = &["有限公司", "股份有限公司", "商贸行", "有限责任公司"];

/// Trade names of English-named companies.
pub(super) const EN_TRADE_NAMES: &[&str] = &[
    "Goldbridge",
    "Sunrise",
    "Evergreen",
    "Pacific",
    "Lotus",
    "Dragon Gate",
    "Silverline",
    "Harmony",
    "Jade River",
    "Northstar",
];

/// Industries of English-named companies.
pub(super) const EN_INDUSTRIES: &[&str] = &[
    "Trading",
    "Machinery",
    "Electronics",
    "Foods",
    "Logistics",
    "Medical",
    "Industrial",
];

/// Product catalogue building blocks: category, item names, price range in
/// yuan, whether quantities may be fractional (sold by weight or length).
pub(super) const CATEGORIES: &[(&str, &[&str], f64, f64, bool)] = &[
    (
        "机械配件",
        &[
            "轴承 6204",
            "齿轮箱",
            "联轴器",
            "Hydraulic pump, 2.2kW",
            "链条 08B",
            "同步带",
        ],
        80.0,
        6000.0,
        false,
    ),
    (
        "电气",
        &[
            "变频器 7.5kW",
            "接触器",
            "Cable 3\"x10m",
            "断路器 C32",
            "PLC 模块",
            "Sensor, inductive",
        ],
        40.0,
        9000.0,
        false,
    ),
    (
        "耗材",
        &[
            "螺栓 M8×40",
            "扎带",
            "Safety gloves\nsize L",
            "砂轮片",
            "密封圈",
            "焊丝",
        ],
        0.5,
        60.0,
        false,
    ),
    (
        "化工",
        &[
            "工业润滑油",
            "清洗剂",
            "环氧树脂",
            "防锈剂",
            "Coolant, \"long life\"",
        ],
        15.0,
        400.0,
        true,
    ),
    (
        "工具",
        &[
            "扭力扳手",
            "电钻",
            "测量卡尺",
            "Tool kit, 120 pcs",
            "液压千斤顶",
        ],
        60.0,
        3000.0,
        false,
    ),
    (
        "服务",
        &["安装调试服务", "年度维保", "培训服务", "Spare-parts plan"],
        500.0,
        30000.0,
        false,
    ),
];
