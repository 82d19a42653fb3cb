//! Tokenization: one shared jieba-rs `Jieba` with an e-commerce user dictionary and every rule term.
//!
//! Built once per run and shared by reference across rayon workers (cutting needs only `&Jieba`). Tokens borrow
//! the message text and carry byte offsets, so findings point at spans and nothing is copied; callers consume
//! a message's tokens and drop them before the next, so tokens are never all held at once. HMM is off: rule
//! terms are in the dictionary, and unknown words (names) cut into characters never hide a term boundary.

use jieba_rs::{Jieba, Token};

/// E-commerce terms that jieba's default dictionary cuts apart (SPEC §5).
pub(crate) const ECOMMERCE_TERMS: &[&str] = &[
    "包邮",
    "货到付款",
    "七天无理由",
    "运费险",
    "花呗",
    "拍下",
    "催付",
    "补运费",
    "补邮费",
    "运费",
    "邮费",
    "发票",
    "开发票",
    "电子发票",
    "增值税发票",
    "专票",
    "普票",
    "信用卡",
    "实体店",
    "线下店",
    "门店",
    "微信",
    "企鹅号",
    "旺旺",
    "淘宝",
    "天猫",
    "京东",
    "优惠券",
    "店铺券",
    "满减",
    "定金",
    "尾款",
    "预售",
    "现货",
    "补货",
    "缺货",
    "尺码",
    "尺码表",
    "偏大",
    "偏小",
    "退款",
    "退货",
    "退货退款",
    "仅退款",
    "换货",
    "差评",
    "好评",
    "投诉",
    "举报",
    "12315",
    "消协",
    "客服",
    "售后",
    "物流",
    "快递",
    "顺丰",
    "中通",
    "圆通",
    "韵达",
    "申通",
    "发货",
    "到货",
    "签收",
    "拒收",
    "地址",
    "改地址",
    "付款",
    "未付款",
    "支付宝",
    "余额宝",
    "限额",
    "额度",
    "拍错",
    "凑单",
    "比价",
    "价保",
    "保价",
    "起球",
    "掉色",
    "色差",
    "质量问题",
];

pub struct Tokenizer {
    jieba: Jieba,
}

impl Tokenizer {
    /// A tokenizer with the default dictionary, the e-commerce terms and the given extra terms (rule terms).
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Self {
        let mut jieba = Jieba::new();
        for w in ECOMMERCE_TERMS.iter().copied().chain(extra) {
            let w = w.trim();
            // Single characters and pure punctuation add nothing but noise to the dictionary.
            if w.chars().count() >= 2 && !jieba.has_word(w) {
                jieba.add_word(w, None, None);
            }
        }
        Tokenizer { jieba }
    }

    /// The tokens of one text, with byte offsets into it.
    pub fn cut<'a>(&self, text: &'a str) -> Vec<Token<'a>> {
        self.jieba.cut(text, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_dictionary_keeps_terms_whole() {
        let t = Tokenizer::new(["听不懂吗"]);
        let words = |s: &str| t.cut(s).into_iter().map(|t| t.word.to_string()).collect::<Vec<String>>();
        assert_eq!(words("加我微信吧"), ["加", "我", "微信", "吧"]);
        assert_eq!(words("全国包邮的"), ["全国", "包邮", "的"]);
        assert_eq!(words("有没有发票"), ["有没有", "发票"]);
        assert!(words("你听不懂吗").contains(&"听不懂吗".to_string()));
        let text = "亲，需要补运费哦";
        let tok = t.cut(text);
        let last = tok.iter().find(|x| x.word == "补运费").unwrap();
        assert_eq!(&text[last.byte_start..last.byte_end], "补运费");
    }
}
