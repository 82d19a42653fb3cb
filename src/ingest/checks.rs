//! Checks of the input as a whole, after every file is read (SPEC §7): do order customers meet the chat customers,
//! do the orders' shops meet the chat's, were times read without seconds, were files left unread, is any message
//! usable at all. Their findings are `Warning`s (terminal, summary.json, page) or, when nothing can be computed, an
//! error.

use super::group_rejects;
use crate::model::{Input, Joins, Warning};
use std::collections::HashSet;

/// Below this share of order customers found in the chat, the join is warned about.
pub(crate) const JOIN_WARN_SHARE: f64 = 0.5;

fn masked(id: &str) -> bool {
    id.contains("**")
}

/// A long number whose last digits are zeros where Excel has dropped them (it keeps 15 significant digits).
fn excel_truncated(id: &str) -> bool {
    id.len() >= 16 && id.bytes().all(|b| b.is_ascii_digit()) && id[15..].bytes().all(|b| b == b'0')
}

/// Counts how many order customers appear in the chat, and warns with the likely cause when fewer than half do.
pub fn joins(input: &mut Input) -> Joins {
    // By name id: a flag per id, not a hash set of millions of messages' customers.
    let mut in_chat = vec![false; input.names.len()];
    for m in &input.messages {
        in_chat[m.customer as usize] = true;
    }
    let chat = |c: &u32| in_chat[*c as usize];
    let orders: HashSet<u32> = input.orders.iter().map(|o| o.customer).filter(|&c| c != 0).collect();
    let met = orders.iter().filter(|c| chat(c)).count();
    let j = Joins { order_customers: orders.len() as u64, in_chat: met as u64 };
    if orders.is_empty() || input.messages.is_empty() || met as f64 >= JOIN_WARN_SHARE * orders.len() as f64 {
        return j;
    }
    let missing: Vec<&str> = {
        let mut v: Vec<&str> = orders.iter().filter(|c| !chat(c)).map(|&c| input.name(c)).collect();
        v.sort_unstable();
        v
    };
    let share = |f: &dyn Fn(&str) -> bool| missing.iter().filter(|c| f(c)).count() as f64 / missing.len() as f64;
    let sci_rejects = input
        .rejects
        .iter()
        .filter(|r| {
            r.reason.contains("scientific notation")
                && input.files.iter().any(|f| f.file == r.file && f.table != "messages")
        })
        .count();
    let shops = |ids: &mut dyn Iterator<Item = u32>| -> HashSet<u32> { ids.filter(|&s| s != 0).collect() };
    let order_shops = shops(&mut input.orders.iter().map(|o| o.shop));
    let chat_shops = shops(&mut input.messages.iter().map(|m| m.shop));
    let example = |ids: &HashSet<u32>| ids.iter().map(|&s| input.name(s).to_string()).min().unwrap_or_default();
    // Ids quoted in a warning are masked like every shown id (a phone number as a buyer's nick).
    let shown = |id: &str| crate::mask::mask(id);
    let pct = 100.0 * met as f64 / orders.len() as f64;
    let head = format!(
        "only {met} of {} order customers ({pct:.0}%) appear in the chat records, so conversion, attribution and \
         unpaid reasons miss most orders",
        orders.len()
    );
    let head_zh = format!(
        "订单买家只有 {met}/{}（{pct:.0}%）出现在聊天记录中，询单转化、订单归属和未付款原因会漏掉大部分订单",
        orders.len()
    );
    let (cause, cause_zh) = if share(&|c| masked(c)) >= 0.5 {
        let e = shown(missing.iter().find(|c| masked(c)).unwrap_or(&""));
        (
            format!(
                "the order export masks buyer names (e.g. '{e}'): export orders with full 买家会员名, or give the \
                 chat's customer ids"
            ),
            format!("订单导出把买家昵称打了码（如 '{e}'）：请导出完整的买家会员名，或提供与聊天记录一致的买家账号"),
        )
    } else if sci_rejects > 0 || share(&|c| excel_truncated(c)) >= 0.5 {
        (
            format!(
                "ids were damaged by Excel ({sci_rejects} rows rejected in scientific notation, ids ending in zeros \
                 where digits were lost): format id columns as text before saving, or use the platform's original \
                 export"
            ),
            format!(
                "编号被 Excel 损坏（{sci_rejects} 行因科学计数法被拒收，或长编号末位变成 0）：保存前把编号列设为文本，\
                 或直接使用平台导出的原始文件"
            ),
        )
    } else if !order_shops.is_empty() && !chat_shops.is_empty() && order_shops.is_disjoint(&chat_shops) {
        let (o, c) = (shown(&example(&order_shops)), shown(&example(&chat_shops)));
        (
            format!(
                "the orders are another shop's ('{o}') than the chats ('{c}'): check that the files are from the same shop"
            ),
            format!("订单来自店铺 '{o}'，聊天记录来自店铺 '{c}'：请确认文件属于同一店铺"),
        )
    } else {
        let chat_example = shown(input.messages.first().map_or("", |m| input.name(m.customer)));
        let e = shown(missing.first().unwrap_or(&""));
        (
            format!("customer ids differ between the files (e.g. '{e}' in orders, '{chat_example}' in chats)"),
            format!("两边的买家账号对不上（如订单中的 '{e}'，聊天记录中的 '{chat_example}'）"),
        )
    };
    input.warnings.push(Warning {
        kind: "join".into(),
        message: format!("{head}: likely cause: {cause}"),
        zh: format!("{head_zh}。可能原因：{cause_zh}"),
    });
    j
}

/// Warns about orders naming shops the chat does not (`attribution`): when no order names a shop of the chat, the
/// order export writes the shop otherwise (店铺名称 beside the chat's account prefix) and orders are credited through
/// the customer's sessions at any shop; when some do, the others are other shops' orders, credited to no agent
/// unless they name one.
pub fn shops(input: &mut Input) {
    let mut in_chat = vec![false; input.names.len()];
    for m in input.messages.iter().filter(|m| m.shop != 0) {
        in_chat[m.shop as usize] = true;
    }
    let mut unmet: Vec<u32> = Vec::new();
    let (mut orders, mut met) = (0, false);
    for o in input.orders.iter().filter(|o| o.shop != 0) {
        if in_chat[o.shop as usize] {
            met = true;
        } else {
            orders += 1;
            if !unmet.contains(&o.shop) {
                unmet.push(o.shop);
            }
        }
    }
    if orders == 0 || !in_chat.iter().any(|c| *c) {
        return;
    }
    let names = |ids: &mut dyn Iterator<Item = u32>| {
        let mut v: Vec<&str> = ids.map(|id| input.name(id)).collect();
        v.sort_unstable();
        v.truncate(5);
        v
    };
    let theirs = names(&mut unmet.into_iter());
    let chat = names(&mut in_chat.iter().enumerate().filter(|(_, c)| **c).map(|(id, _)| id as u32));
    let counted = if orders == 1 { "1 order names".to_string() } else { format!("{orders} orders name") };
    let (theirs, chat) = (theirs.join(", "), chat.join(", "));
    let (message, zh) = if met {
        (
            format!(
                "{counted} shops the chat does not have ({theirs}; the chat's: {chat}) beside orders of the chat's \
                 shops: they count in shops.csv and for no agent unless they name one"
            ),
            format!(
                "{orders} 个订单属于聊天记录以外的店铺（{theirs}；聊天记录：{chat}）：只计入 shops.csv，除非订单写明客服，否则不计入任何客服"
            ),
        )
    } else {
        (
            format!(
                "{counted} shops the chat does not have ({theirs}; the chat's: {chat}), and no order names the chat's: \
                 read as the same shop written another way, they are credited through the customer's sessions at any \
                 shop (else none would be credited through the chat); check that the orders are this shop's"
            ),
            format!(
                "{orders} 个订单的店铺（{theirs}）都不是聊天记录里的店铺（聊天记录：{chat}）：已视为同一店铺的不同写法，\
                 按买家在任一店铺的会话归属客服（否则没有订单能按聊天归属）；请确认这些订单属于本店"
            ),
        )
    };
    input.warnings.push(Warning { kind: "shops".into(), message, zh });
}

/// Warns about message files whose times have no seconds.
pub fn minute_only(input: &mut Input) {
    let files: Vec<(&str, u64, u64)> = input
        .files
        .iter()
        .filter(|f| f.minute_only_times > 0 && f.table == "messages")
        .map(|f| (f.file.as_str(), f.minute_only_times, f.rows_read))
        .collect();
    if files.is_empty() {
        return;
    }
    let total: u64 = files.iter().map(|f| f.1).sum();
    let shown: Vec<String> = files.iter().take(3).map(|(f, n, of)| format!("{f} ({n} of {of})")).collect();
    let more = if files.len() > 3 { format!(" and {} more files", files.len() - 3) } else { String::new() };
    let shown_zh: Vec<String> = files.iter().take(3).map(|(f, n, of)| format!("{f}（{n}/{of}）")).collect();
    let more_zh = if files.len() > 3 { format!(" 等 {} 个文件", files.len()) } else { String::new() };
    input.warnings.push(Warning {
        kind: "minute_only".into(),
        message: format!(
            "{total} message times have no seconds, in {}{more}: response seconds cannot be measured from these \
             files (responses come out in whole minutes); export the chat records with seconds",
            shown.join(", ")
        ),
        zh: format!(
            "{total} 条消息时间没有秒（{}{more_zh}）：无法从这些文件计算响应秒数（只能精确到分钟），请导出带秒的聊天记录",
            shown_zh.join("，")
        ),
    });
}

/// Warns about the files not read (folders are listed in `unread` too, but a folder is not data left behind).
pub fn unread(input: &mut Input) {
    let files: Vec<&crate::model::Unread> = input.unread.iter().filter(|u| !u.file.ends_with('/')).collect();
    if files.is_empty() {
        return;
    }
    let shown: Vec<String> = files.iter().take(5).map(|u| format!("{} ({})", u.file, u.reason)).collect();
    let more = if files.len() > 5 { format!("; and {} more", files.len() - 5) } else { String::new() };
    let names: Vec<&str> = files.iter().take(5).map(|u| u.file.as_str()).collect();
    input.warnings.push(Warning {
        kind: "not_read".into(),
        message: format!("{} not read: {}{more}", plural(files.len(), "file"), shown.join("; ")),
        zh: format!(
            "{} 个文件未读取：{}{}（原因见 kefu check 或 summary.json 的 not_read）",
            files.len(),
            names.join("、"),
            if files.len() > 5 { " 等" } else { "" }
        ),
    });
}

pub(super) fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// Fails when no message row is usable, naming the message files and the most common reason.
pub fn usable(input: &Input) -> Result<(), String> {
    let files: Vec<_> = input.files.iter().filter(|f| f.table == "messages").collect();
    if files.iter().any(|f| f.rows_used > 0) {
        return Ok(());
    }
    let read: u64 = files.iter().map(|f| f.rows_read).sum();
    let names: Vec<&str> = files.iter().take(3).map(|f| f.file.as_str()).collect();
    let more = if files.len() > 3 { format!(" and {} more", files.len() - 3) } else { String::new() };
    let groups = group_rejects(&input.rejects);
    let reason = groups
        .iter()
        .filter(|(_, rs)| rs.iter().any(|r| files.iter().any(|f| f.file == r.file)))
        .max_by_key(|(_, rs)| rs.len())
        .map(|(kind, rs)| {
            let r = rs[0];
            format!("; the most common reason: {kind} ({} rows, first at {}:{})", rs.len(), r.file, r.line)
        })
        .unwrap_or_default();
    Err(format!(
        "no usable message row in {}{more} ({read} rows read){reason}",
        if names.is_empty() { "the message files".to_string() } else { names.join(", ") }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_damage_and_masks() {
        assert!(excel_truncated("2084938472938470000"));
        assert!(!excel_truncated("2084938472938472938"));
        assert!(!excel_truncated("123"));
        assert!(masked("t******7") && !masked("tb_张三"));
    }
}
