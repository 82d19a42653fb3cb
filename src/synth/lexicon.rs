//! Texts of the synthetic shop: what customers ask and how a women's-clothing shop's agents answer.
//! Phrases follow real Taobao/Tmall chat style (亲, ~, 哦). Agent replies here are clean: they carry no rule
//! violation, so violations found on generated data are exactly the ones planted on purpose (`SCENARIOS`).
//! Only greetings greet (您好, 亲 …) and only closings and second lines close, which is what the session truth
//! assumes; other agent lines carry neither.

pub(crate) const SHOP: &str = "暖暖女装旗舰店";

pub(crate) const AGENT_NAMES: &[&str] = &[
    "小美", "小雅", "小婷", "小薇", "小琳", "小雪", "小悦", "小糖", "阿杰", "小鹿", "小青", "小禾", "小橙", "小满",
    "小柚", "小桃", "小可", "小乐", "小安", "小星",
];
pub(crate) const AFTERSALES_AGENTS: &[&str] = &["售后小宁", "售后小静"];

/// (product, lowest price, highest price, fabric)
pub(crate) const PRODUCTS: &[(&str, i64, i64, &str)] = &[
    ("连衣裙", 199, 399, "醋酸面料"),
    ("羽绒服", 499, 899, "90白鸭绒"),
    ("毛衣", 159, 299, "羊毛混纺"),
    ("牛仔裤", 129, 259, "弹力棉"),
    ("卫衣", 99, 199, "纯棉毛圈"),
    ("大衣", 399, 999, "双面呢"),
    ("衬衫", 89, 189, "天丝"),
    ("半身裙", 99, 219, "雪纺"),
];
pub(crate) const COLORS: &[&str] = &["黑色", "白色", "米白", "焦糖色", "雾霾蓝", "酒红", "燕麦色"];
pub(crate) const SIZES: &[&str] = &["S", "M", "L", "XL", "XXL"];
pub(crate) const CITIES: &[&str] = &["上海", "杭州", "成都", "广州", "北京", "武汉", "西安", "长沙", "沈阳", "昆明"];

pub(crate) const CUSTOMER_OPENERS: &[&str] =
    &["在吗", "你好", "亲，在吗？", "有人吗", "客服在吗", "你好，问一下", "hello", "在不在呀", "您好"];

pub(crate) const AGENT_GREETINGS: &[&str] = &[
    "亲，在的哦~ 有什么可以帮您的吗？",
    "您好，我是客服{agent}，很高兴为您服务~",
    "亲亲在的呢，请问有什么可以帮到您~",
    "欢迎光临暖暖女装旗舰店，亲想了解哪款宝贝呢？",
];

pub(crate) const BOT_WELCOME: &[&str] = &[
    "您好，欢迎光临暖暖女装旗舰店！客服正在赶来的路上，请稍等哦~",
    "亲，感谢关注暖暖女装，当前咨询人数较多，客服会尽快回复您~",
];
pub(crate) const BOT_PROMO: &str = "亲，双十一活动火爆进行中，客服回复可能稍慢，请您耐心等待哦~";
pub(crate) const BOT_NIGHT: &str =
    "亲，现在是非工作时间，客服上班时间为8:00-23:00，您可以先留言，上班后第一时间回复您~";

/// A customer question topic with its questions and the agent answers that fit it.
#[derive(Clone, Copy)]
pub(crate) struct Topic {
    pub questions: &'static [&'static str],
    pub answers: &'static [&'static str],
    /// How much longer than usual an agent takes to answer it.
    pub difficulty: f64,
    /// Its session topic (SPEC §3), planted in truth/topics.csv for sessions that ask about it alone.
    pub category: &'static str,
}

pub(crate) const TOPICS: &[Topic] = &[
    Topic {
        questions: &[
            "我身高{h}体重{w}斤穿什么码",
            "这款{product}偏大还是偏小啊",
            "平时穿{size}码，这款要拍哪个码",
            "{h}的个子穿这个长度合适吗",
        ],
        answers: &[
            "亲，根据您的身高体重建议拍{size}码哦~",
            "这款是标准码，按平时尺码拍就可以的亲",
            "亲，这款版型偏宽松，建议拍小一码哦",
            "亲，详情页有尺码表，您对照一下胸围和衣长，拿不准的话建议拍{size}码呢",
        ],
        difficulty: 1.4,
        category: "商品咨询",
    },
    Topic {
        questions: &["这个{product}是什么面料的", "是纯棉的吗", "会起球吗", "洗了会掉色吗", "薄还是厚呀"],
        answers: &[
            "亲，这款是{fabric}的，穿着很舒服哦~",
            "面料是{fabric}，亲放心，质量很好的呢",
            "亲，这款厚度适中，春秋单穿冬天内搭都可以哦",
            "亲，第一次洗建议冷水手洗，不会影响穿着的呢",
        ],
        difficulty: 1.1,
        category: "商品咨询",
    },
    Topic {
        questions: &["能便宜点吗", "双十一有活动吗", "有优惠券吗", "满减怎么算", "现在买和双十一买哪个便宜"],
        answers: &[
            "亲，现在领券下单立减{n}元哦~",
            "双十一当天有满300减40的活动呢，亲可以先加购哦",
            "亲，我们已经是活动价了哦，领店铺券更优惠",
            "亲，店铺券和跨店满减可以叠加使用的呢",
        ],
        difficulty: 1.0,
        category: "价格优惠",
    },
    Topic {
        questions: &["发什么快递", "什么时候发货", "几天能到{city}", "可以发顺丰吗", "今天拍今天能发吗"],
        answers: &[
            "亲，默认发中通，下单后48小时内发货哦",
            "一般2-4天就能到{city}的亲",
            "亲，顺丰需要补差价的哦，默认是中通呢",
            "亲，下午4点前付款的订单当天安排发出哦",
        ],
        difficulty: 0.9,
        category: "物流配送",
    },
    Topic {
        questions: &["可以开发票吗", "发票怎么开", "能开电子发票吗"],
        answers: &[
            "亲，可以开电子发票的，下单后在订单详情里申请就可以哦",
            "可以开的亲，确认收货后在订单页点申请开票即可",
        ],
        difficulty: 1.2,
        category: "发票",
    },
    Topic {
        questions: &["{color}{size}码还有货吗", "这个还会补货吗", "{color}的有现货吗"],
        answers: &[
            "亲，{color}{size}码还有少量现货哦，喜欢可以尽快下单",
            "亲，这个颜色暂时缺货，预计下周补货呢",
            "亲，页面能拍就是有货的哦",
        ],
        difficulty: 1.0,
        category: "商品咨询",
    },
    Topic {
        questions: &["不合适包退换吗", "有运费险吗", "支持七天无理由吗"],
        answers: &[
            "亲，支持七天无理由退换的，还送运费险哦",
            "收到不合适可以退换的亲，放心购买~",
            "亲，吊牌不拆不影响二次销售都可以退换的哦",
        ],
        difficulty: 0.9,
        category: "售后服务",
    },
];

/// After an order: what the customer asks when coming back.
pub(crate) const RETURN_QUESTIONS: &[&str] =
    &["我已经拍下了，什么时候发货", "我的订单发了吗", "刚付款了，能帮忙备注一下吗", "拍下了，麻烦尽快发哦"];
/// Answers to a returning customer; they do not greet (a greeting comes before them when the agent greets).
pub(crate) const RETURN_ANSWERS: &[&str] = &[
    "帮您查了一下，订单已经在打包了，今天会发出的哦",
    "已经帮您备注了，仓库会尽快安排的",
    "订单正常48小时内发出，发出后可以在订单详情里看物流哦",
];
pub(crate) const RETURN_GREETINGS: &[&str] = &["亲，您好，在的呢~", "亲，在的哦", "您好，我是客服，很高兴为您服务"];

pub(crate) const CUSTOMER_FOLLOWUPS: &[&str] = &["好的", "嗯嗯", "哦哦", "那我看看", "知道了"];
pub(crate) const CUSTOMER_CLOSINGS: &[&str] = &["好的，谢谢", "好的 我去拍了", "谢谢亲", "那我考虑一下", "行，谢谢"];
pub(crate) const AGENT_CLOSINGS: &[&str] = &[
    "不客气哦亲，感谢您的支持，祝您生活愉快~",
    "好的亲，有问题随时联系哦~",
    "亲，喜欢的话尽快下单哦，感谢支持~",
    "感谢亲的光临，祝您购物愉快~",
];
pub(crate) const AGENT_SECOND_LINES: &[&str] =
    &["亲还有其他问题吗？", "您看还有什么需要了解的吗~", "有需要随时找我哦~"];

pub(crate) const NICK_PARTS: &[&str] = &[
    "爱吃鱼的猫",
    "夏天的风",
    "小太阳",
    "柠檬不酸",
    "momo",
    "橘子汽水",
    "晴天",
    "星星点灯",
    "甜甜圈",
    "奶茶续命",
    "大白",
    "木子",
    "糖果屋",
    "一只兔子",
    "风吹麦浪",
];

pub(crate) const CASE_REASONS: &[(&str, &[&str])] = &[
    ("refund_only", &["未收到货", "少件漏发", "不想要了"]),
    ("return_refund", &["尺码不合适", "颜色与描述不符", "质量问题", "七天无理由"]),
    ("exchange", &["尺码不合适", "想换颜色"]),
    ("complaint", &["发货太慢", "客服态度差", "质量差"]),
];

/// A planted exchange: customer/agent pairs, the rule the agent line of pair `at` breaks (None: a near miss that
/// must not be flagged), and an intent the customer shows.
pub(crate) struct Scenario {
    pub pairs: &'static [(&'static str, &'static str)],
    pub rule: Option<(&'static str, usize)>,
    pub intent: Option<&'static str>,
}

const fn v(pairs: &'static [(&'static str, &'static str)], rule: &'static str, at: usize) -> Scenario {
    Scenario { pairs, rule: Some((rule, at)), intent: None }
}
const fn ok(pairs: &'static [(&'static str, &'static str)]) -> Scenario {
    Scenario { pairs, rule: None, intent: None }
}
const fn intent(pairs: &'static [(&'static str, &'static str)], intent: &'static str) -> Scenario {
    Scenario { pairs, rule: None, intent: Some(intent) }
}

/// `{phone}` is filled with a random mobile number.
pub(crate) const SCENARIOS: &[Scenario] = &[
    v(&[("能开发票吗", "亲，我们这边没有发票的哦")], "invoice_refusal", 0),
    v(&[("可以开发票吗？", "不好意思亲，这款不开发票")], "invoice_refusal", 0),
    v(&[("公司报销要发票", "发票开不了的亲，实在抱歉")], "invoice_refusal", 0),
    ok(&[("有没有发票？", "亲，可以开电子发票的，下单后申请就可以哦")]),
    v(&[("发票能开成办公用品吗", "可以的亲，发票可以开成办公用品")], "invoice_mismatch", 0),
    v(&[("发票金额能多写点吗", "可以的，金额可以帮您开高一点")], "invoice_mismatch", 0),
    ok(&[("发票能开成办公用品吗", "亲，发票只能按实际商品开具哦")]),
    v(&[("包邮吗", "亲，全国包邮的哦"), ("新疆也能发吗", "新疆地区需要补运费15元哦")], "free_shipping_breach", 1),
    v(&[("包邮吗", "包邮的亲"), ("寄到西藏", "亲，西藏要另付运费20元的")], "free_shipping_breach", 1),
    ok(&[("包邮吗", "亲，这款不包邮的"), ("寄到新疆呢", "新疆需要补运费15元哦")]),
    ok(&[("包邮吗", "亲，全国包邮的哦"), ("好的", "好的亲")]),
    v(&[("可以用信用卡吗", "亲，不支持信用卡付款哦")], "credit_card_refusal", 0),
    v(&[("信用卡能付吗", "信用卡用不了的亲")], "credit_card_refusal", 0),
    ok(&[("可以用信用卡吗", "可以的亲，信用卡和花呗都能用")]),
    v(&[("能货到付款吗", "可以货到付款的亲")], "cod_promise", 0),
    v(&[("支持到付吗", "亲，支持货到付款哦")], "cod_promise", 0),
    ok(&[("能货到付款吗", "亲，我们不支持货到付款哦，可以用花呗")]),
    v(&[("电话帮我核对下", "亲，您的收货电话是{phone}对吧")], "privacy_leak", 0),
    v(&[("地址对吗", "地址是上海市浦东新区张江路88号3栋201室，没错吧")], "privacy_leak", 0),
    v(&[("在吗", "亲，已经帮您关闭订单了")], "order_close", 0),
    ok(&[("我拍错了，帮我取消订单", "好的，已经帮您关闭订单了")]),
    ok(&[("订单会自动关闭吗", "未付款的订单超时会自动关闭哦")]),
    v(&[("包安装吗", "亲，我们不提供安装服务的")], "install_refusal", 0),
    v(&[("需要安装吗", "安装需要您自己来哦")], "install_refusal", 0),
    v(&[("什么时候能到", "亲，保证11号之前发货")], "ship_date_promise", 0),
    v(&[("明天能到吗", "放心，一定明天到")], "ship_date_promise", 0),
    ok(&[("质量怎么样", "亲，质量一定没问题的")]),
    ok(&[("能明天发货吗", "我们会尽量争取明天发货的哦")]),
    v(&[("有优惠吗", "加我微信私聊，给您便宜")], "offsite_contact", 0),
    v(&[("能便宜吗", "亲，加个QQ：38475612，发您优惠券")], "offsite_contact", 0),
    ok(&[("支持微信支付吗", "亲，可以用微信支付的")]),
    v(&[("想试穿一下", "可以去实体店试穿哦")], "offline_store", 0),
    ok(&[("有实体店吗", "亲，我们没有实体店哦，只有网店")]),
    v(&[("这款质量怎么样", "亲，我们家面料是顶级的哦")], "ad_superlatives", 0),
    v(&[("还能便宜点吗", "亲，这已经是全网最低价了")], "ad_superlatives", 0),
    ok(&[("什么时候发货", "亲，最快明天就能发出哦")]),
    ok(&[("是纯棉的吗", "亲，这款是100%纯棉的哦")]),
    v(&[("我是胖子能穿吗", "亲，胖子也能穿的哦")], "banned_words", 0),
    ok(&[("我是胖子能穿吗", "亲，微胖身材也可以穿的哦")]),
    v(&[("到底有没有货", "我也不知道")], "negative_language", 0),
    v(&[("怎么还不发货", "急什么，会发的")], "negative_language", 0),
    v(&[("能改价吗", "没办法，就这个价")], "negative_language", 0),
    ok(&[("穿什么码", "不知道您平时穿多大码呢")]),
    ok(&[("能改价吗", "很抱歉亲，价格没办法修改哦")]),
    intent(&[("收到的有质量问题，我要退款", "亲，非常抱歉，帮您申请退款哦")], "refund_intent"),
    intent(&[("不合适可以退货退款吗", "亲，支持七天无理由退换的")], "refund_intent"),
    ok(&[("算了不想退了", "好的亲")]),
    intent(&[("再不发货我就投诉了", "非常抱歉亲，马上帮您催")], "complaint_intent"),
    intent(&[("太差了，给你差评", "亲，非常抱歉，您看怎么处理您满意")], "complaint_intent"),
    ok(&[("我不会给差评的", "好的亲，理解万岁")]),
];

/// An agent's first reply that does not greet (planted no_greeting).
pub(crate) const BARE_FIRST_REPLIES: &[&str] = &["在", "说", "有货", "嗯"];

/// 催付: what an agent sends about an order created and not paid (each starts with the greeting 亲).
pub(crate) const PAYMENT_REMINDERS: &[&str] = &[
    "亲，您拍下的宝贝还没付款哦，库存紧张，记得尽快付款哦～",
    "亲，看到您的订单还未付款，需要帮忙可以找我哦",
    "亲，您的订单还没支付哦，库存有限哦",
    "亲，订单还在待付款状态呢，记得付款哦",
];
/// The customer answers a reminder and pays.
pub(crate) const PAY_AFTER_REMINDER: &[&str] = &["啊忘记了，马上付", "好的，这就付", "刚才有事，现在付"];
/// Unpaid reasons (SPEC §3 categories) as customers say them, answering a reminder.
pub(crate) const UNPAID_REASONS: &[(&str, &[&str])] = &[
    ("忘记付款", &["忘了付款，晚点再说", "忘记了，回头再看吧"]),
    ("资金不足", &["钱不够了，等发工资再买", "最近手头紧，过几天再说"]),
    ("支付问题", &["付不了，一直提示支付失败", "花呗额度不够付不了", "银行卡限额了付不上"]),
    ("价格/议价", &["有点贵，再便宜点我就拍", "太贵了，能少点吗"]),
    ("等优惠", &["我等双十一再拍", "等活动再买吧", "等优惠出来再拍"]),
    ("比价/考虑", &["我再考虑一下", "我对比一下别家", "再看看吧"]),
    ("运费", &["运费太贵了", "不包邮就算了"]),
    ("发货/物流时效", &["发货太慢了，等不了", "来不及了，周末要穿的"]),
    ("尺码/规格", &["不知道选哪个码，先不拍了", "尺码拿不准，先放着"]),
    ("质量顾虑", &["怕质量不好，先不买了", "担心质量，晚点再说"]),
    ("售后顾虑", &["怕不好退，算了", "怕退不了，先不拍了"]),
    ("拍错/重复", &["拍错了，不要这单了", "拍重复了，这单不要了"]),
    ("改地址/信息", &["地址写错了，我重新拍", "要改地址，这单先不付"]),
    ("缺货", &["我要的码没货了", "断码了就不要了"]),
];
/// The reasons of `UNPAID_REASONS` a customer cannot give before an order exists: the others are also the reasons
/// a customer gives for leaving without one (询单流失).
pub(crate) const ONLY_WITH_AN_ORDER: &[&str] = &["忘记付款", "支付问题", "拍错/重复", "改地址/信息"];
/// The phrases of the customer lines above (questions, scenarios, closings) that voice a doubt about buying, with
/// the unpaid-reason category they hint at and how strongly (3: a plain statement or bargaining, 1: a question).
/// Every question about something an unpaid-reason category covers is one (stock, delivery, material and fit,
/// promotions, payment, returns), as a supervisor reading the chat would take it; questions about invoices are
/// not. The planted truth of an order left unpaid without a stated reason is the strongest, then the latest, of
/// these in its conversation.
pub(crate) const PLANTED_HINTS: &[(&str, &str, u8)] = &[
    ("穿什么码", "尺码/规格", 1),
    ("偏大还是偏小", "尺码/规格", 1),
    ("哪个码", "尺码/规格", 1),
    ("长度合适吗", "尺码/规格", 1),
    ("什么面料", "尺码/规格", 1),
    ("是纯棉的吗", "尺码/规格", 1),
    ("薄还是厚", "尺码/规格", 1),
    ("胖子能穿吗", "尺码/规格", 1),
    ("起球吗", "质量顾虑", 1),
    ("掉色吗", "质量顾虑", 1),
    ("质量怎么样", "质量顾虑", 1),
    ("能便宜点", "价格/议价", 3),
    ("能便宜吗", "价格/议价", 3),
    ("能改价吗", "价格/议价", 3),
    ("优惠券", "等优惠", 1),
    ("满减", "等优惠", 1),
    ("哪个便宜", "等优惠", 1),
    ("有活动吗", "等优惠", 1),
    ("有优惠吗", "等优惠", 1),
    ("什么时候发货", "发货/物流时效", 1),
    ("几天能到", "发货/物流时效", 1),
    ("发什么快递", "发货/物流时效", 1),
    ("发顺丰吗", "发货/物流时效", 1),
    ("今天能发吗", "发货/物流时效", 1),
    ("什么时候能到", "发货/物流时效", 1),
    ("明天能到吗", "发货/物流时效", 1),
    ("明天发货吗", "发货/物流时效", 1),
    ("不发货", "发货/物流时效", 1),
    ("还有货吗", "缺货", 1),
    ("还会补货吗", "缺货", 1),
    ("有现货吗", "缺货", 1),
    ("有没有货", "缺货", 1),
    ("包邮吗", "运费", 1),
    ("信用卡吗", "支付问题", 1),
    ("信用卡能付吗", "支付问题", 1),
    ("货到付款吗", "支付问题", 1),
    ("到付吗", "支付问题", 1),
    ("微信支付吗", "支付问题", 1),
    ("有运费险吗", "售后顾虑", 1),
    ("七天无理由吗", "售后顾虑", 1),
    ("包退换吗", "售后顾虑", 1),
    ("可以退货退款吗", "售后顾虑", 1),
    ("安装吗", "售后顾虑", 1),
    ("核对", "改地址/信息", 1),
    ("地址对吗", "改地址/信息", 1),
    ("拍错了", "拍错/重复", 3),
    ("考虑一下", "比价/考虑", 3),
];
