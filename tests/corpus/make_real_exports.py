#!/usr/bin/env python3
"""Writes the real-export cases of the bad-input corpus (SPEC §7): 千牛 transcripts in every layout, workbooks with
title and totals rows (.xlsx and .xls), GB18030 CSVs with the platforms' headers, and their canonical twin. The
files are committed; this script is how they were made (pip install openpyxl xlwt), so a reader can see every byte
that matters. Run from the repository root: python3 tests/corpus/make_real_exports.py
"""
import datetime
import os

import openpyxl
import xlwt

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)))


def path(*parts):
    p = os.path.join(ROOT, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def write(rel, text, encoding="utf-8", crlf=False):
    if crlf:
        text = text.replace("\n", "\r\n")
    with open(path(*rel.split("/")), "wb") as f:
        f.write(text.encode(encoding))


# ---- 千牛 transcripts: standard (GB18030, CRLF), compact + arrow, header with a transfer, a robot-only window ----
write(
    "qianniu_layouts/input/transcripts/w1.txt",
    "当前用户来自 手机淘宝 商品详情页\n"
    "https://item.taobao.com/item.htm?id=6543210987\n"
    "tb_张三\n2026-11-11 10:00:00\n在吗\n这件有货吗\n已读\n\n"
    "小店:服务助手\n2026-11-11 10:00:02\n您好，我是智能助手，请问有什么可以帮您？\n已读\n\n"
    "小店:小美\n2026-11-11 10:00:40\n亲，在的哦，有货\n已读\n\n"
    "tb_张三\n2026-11-11 10:01:00\n好的，拍了\n对方撤回了一条消息\n已读\n\n"
    "小店:小美\n2026-11-11 10:01:10\n感谢支持~\n未读\n\n",
    encoding="gb18030",
    crlf=True,
)
write(
    "qianniu_layouts/input/transcripts/w2.txt",
    "———— 2026-11-11 ————\n"
    "tb_李四 --> 小店:小雪 2026-11-11 9:05:03\n有人吗\n"
    "小店:小雪2026-11-11 9:05:20\n亲亲在的\n"
    "tb_李四2026-11-11 9:06:00\n发什么快递\n"
    "小店:小雪 --> tb_李四 2026-11-11 9:06:30\n默认中通哦\n",
)
write(
    "qianniu_layouts/input/transcripts/w3.txt",
    "—— 以上是历史消息 ——\n"
    "tb_王五 2026-11-11 22:50:00\n还在吗\n"
    "小店:小美 2026-11-11 22:50:30\n在的亲\n"
    "小店:小美 转交给 小店:小雪\n"
    "tb_王五 2026-11-11 22:51:00\n想退款\n"
    "小店:小雪 2026-11-11 22:51:20\n好的亲，我帮您处理\n",
)
write(
    "qianniu_layouts/input/transcripts/w4.txt",
    "tb_赵六 2026-11-11 12:00:00\n有优惠券吗\n"
    "小店:店小蜜 2026-11-11 12:00:01\n亲，领券中心可以领哦\n"
    "以下为离线消息\n",
)
# The same conversations as a canonical messages.csv: the robot under its own name and as 客服, which kefu makes a
# bot and gives to the human agent (or to none in w4).
write(
    "qianniu_layouts_canonical/input/messages.csv",
    "会话ID,时间,店铺,买家,客服,发送方,内容,订单号\n"
    'w1,2026-11-11 10:00:00,小店,tb_张三,小店:小美,买家,"在吗\n这件有货吗",\n'
    "w1,2026-11-11 10:00:02,小店,tb_张三,小店:服务助手,客服,您好，我是智能助手，请问有什么可以帮您？,\n"
    "w1,2026-11-11 10:00:40,小店,tb_张三,小店:小美,客服,亲，在的哦，有货,\n"
    "w1,2026-11-11 10:01:00,小店,tb_张三,小店:小美,买家,好的，拍了,\n"
    "w1,2026-11-11 10:01:10,小店,tb_张三,小店:小美,客服,感谢支持~,\n"
    "w2,2026-11-11 09:05:03,小店,tb_李四,小店:小雪,买家,有人吗,\n"
    "w2,2026-11-11 09:05:20,小店,tb_李四,小店:小雪,客服,亲亲在的,\n"
    "w2,2026-11-11 09:06:00,小店,tb_李四,小店:小雪,买家,发什么快递,\n"
    "w2,2026-11-11 09:06:30,小店,tb_李四,小店:小雪,客服,默认中通哦,\n"
    "w3,2026-11-11 22:50:00,小店,tb_王五,小店:小美,买家,还在吗,\n"
    "w3,2026-11-11 22:50:30,小店,tb_王五,小店:小美,客服,在的亲,\n"
    "w3,2026-11-11 22:51:00,小店,tb_王五,小店:小雪,买家,想退款,\n"
    "w3,2026-11-11 22:51:20,小店,tb_王五,小店:小雪,客服,好的亲，我帮您处理,\n"
    "w4,2026-11-11 12:00:00,小店,tb_赵六,小店:店小蜜,买家,有优惠券吗,\n"
    "w4,2026-11-11 12:00:01,小店,tb_赵六,小店:店小蜜,机器人,亲，领券中心可以领哦,\n",
)

# ---- One shop's week as workbooks, as GB18030 platform CSVs, and as canonical CSVs ----
MESSAGES = [
    ("c1", "2026-11-11 10:00:00", "tb_张三", "小店:小美", "customer", "在吗，这件有货吗？", ""),
    ("c1", "2026-11-11 10:00:02", "tb_张三", "小店:小美", "bot", "您好，客服马上来~", ""),
    ("c1", "2026-11-11 10:00:12", "tb_张三", "小店:小美", "agent", "亲，在的哦, 有货", ""),
    ("c1", "2026-11-11 10:01:00", "tb_张三", "小店:小美", "customer", "好的", ""),
    ("c1", "2026-11-11 10:01:30", "tb_张三", "小店:小美", "agent", "亲，拍下后记得付款哦", "1001"),
    ("c2", "2026-11-11 11:00:00", "tb_李四", "小店:小雪", "customer", "能便宜点吗", ""),
    ("c2", "2026-11-11 11:00:25", "tb_李四", "小店:小雪", "agent", "亲，已经是活动价了哦", ""),
]
SENDER_ZH = {"customer": "买家", "agent": "客服", "bot": "机器人", "system": "系统"}
# Orders: (id, customer, created, paid, amount, status). 1003 was turned into a number by Excel in the workbook
# and in the CSV: that row is rejected there, and is not in the canonical twin.
ORDERS = [
    ("1001", "tb_张三", "2026-11-11 10:01:20", "2026-11-11 10:03:00", 299.0, "交易成功"),
    ("1002", "tb_李四", "2026-11-11 11:01:00", "", 159.0, "等待买家付款"),
]
DAMAGED = ("2084938472938472938", "tb_王五", "2026-11-11 12:00:00", "", 59.0, "等待买家付款")
# Refunds: (id, order, customer, handler, needs return, reason, opened, closed, amount, intervention, status)
REFUNDS = [
    ("r1", "1001", "tb_张三", "小店:售后小宁", "是", "尺码不合适", "2026-11-12 09:00:00", "2026-11-12 18:00:00", 299.0,
     "无", "退款成功"),
    ("r2", "1001", "tb_张三", "小店:售后小宁", "否", "不想要了", "2026-11-13 09:00:00", "", 10.0, "客服介入中", "退款中"),
]


def ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S") if s else None


# Canonical twin.
canon = "workbooks_canonical/input/"
write(
    canon + "messages.csv",
    "conversation_id,timestamp,shop,customer_id,agent_id,sender,text,order_id\n"
    + "".join(f'{c},{t},小店,{u},{a},{s},"{x}",{o}\n' for c, t, u, a, s, x, o in MESSAGES),
)
write(
    canon + "orders.csv",
    "order_id,customer_id,shop,created_at,paid_at,amount,agent_id\n"
    + "".join(f"{i},{u},小店,{c},{p},{a:.2f},\n" for i, u, c, p, a, _ in ORDERS),
)
write(
    canon + "aftersales.csv",
    "case_id,order_id,customer_id,agent_id,type,reason,opened_at,closed_at,refund_amount,platform_intervened\n"
    + "".join(
        f"{k},{o},{u},{h},{'return_refund' if r == '是' else 'refund_only'},{why},{op},{cl},{a:.2f},"
        f"{1 if '介入中' in iv else 0}\n"
        for k, o, u, h, r, why, op, cl, a, iv, _ in REFUNDS
    ),
)

# Workbooks: title rows, Excel dates, a numeric id, an id Excel lost, a 合计 row; the refunds as an .xls with a
# sheet of notes that maps to no table.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "聊天记录"
ws.append(["聊天记录导出"])
ws.append(["统计时间：2026-11-11 至 2026-11-11"])
ws.append(["会话ID", "时间", "店铺", "买家", "客服", "发送方", "内容", "订单号"])
for c, t, u, a, s, x, o in MESSAGES:
    ws.append([c, ts(t), "小店", u, a, SENDER_ZH[s], x, int(o) if o else None])
ws.append(["合计", len(MESSAGES)])
for row in ws.iter_rows(min_row=4, max_row=3 + len(MESSAGES), min_col=2, max_col=2):
    for cell in row:
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
wb.save(path("workbooks", "input", "聊天记录.xlsx"))

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "订单列表"
ws.append(["订单导出（淘宝卖家中心）"])
ws.append(["订单编号", "买家会员名", "店铺名称", "订单创建时间", "订单付款时间", "总金额", "买家实际支付金额", "订单状态"])
for i, u, c, p, a, st in ORDERS + [DAMAGED]:
    ws.append([int(i), u, "小店", ts(c), ts(p), a + 10, a, st])
ws.append(["合计", None, None, None, None, None, sum(o[4] for o in ORDERS + [DAMAGED])])
for row in ws.iter_rows(min_row=3, max_row=2 + len(ORDERS) + 1, min_col=4, max_col=5):
    for cell in row:
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
wb.save(path("workbooks", "input", "orders.xlsx"))

book = xlwt.Workbook(encoding="utf-8")
notes = book.add_sheet("说明")
notes.write(0, 0, "本表由售后组每周导出")
sheet = book.add_sheet("退款")
header = ["退款编号", "订单编号", "买家会员名称", "审核操作人", "是否需要退货", "买家退款原因", "退款的申请时间",
          "退款完结时间", "买家退款金额", "客服介入状态", "退款状态"]
date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
for c, h in enumerate(header):
    sheet.write(0, c, h)
for r, row in enumerate(REFUNDS, start=1):
    for c, v in enumerate(row):
        if c in (6, 7) and v:
            sheet.write(r, c, ts(v), date_style)
        else:
            sheet.write(r, c, v)
book.save(path("workbooks", "input", "refunds.xls"))

# The same as GB18030 CSVs with the platforms' headers and values (CRLF, ids wrapped as Taobao writes them).
plat = "platform_csv_gbk/input/"
write(
    plat + "聊天记录.csv",
    "会话ID,时间,店铺,买家,客服,发送方,内容,订单号\n"
    + "".join(f'{c},{t},小店,{u},{a},{SENDER_ZH[s]},"{x}",{o}\n' for c, t, u, a, s, x, o in MESSAGES),
    encoding="gb18030",
    crlf=True,
)
write(
    plat + "ExportOrderList202611.csv",
    "订单编号,买家会员名,店铺名称,订单创建时间,订单付款时间,总金额,买家实际支付金额,订单状态\n"
    + "".join(f'="{i}",{u},小店,{c},{p},{a + 10:.2f},{a:.2f},{st}\n' for i, u, c, p, a, st in ORDERS)
    + "2.08494E+18,tb_王五,小店,2026-11-11 12:00:00,,69.00,59.00,等待买家付款\n",
    encoding="gb18030",
    crlf=True,
)
write(
    plat + "ExportRefundList202611.csv",
    ",".join(header) + "\n"
    + "".join(",".join(f"{v:.2f}" if isinstance(v, float) else v for v in row) + "\n" for row in REFUNDS),
    encoding="gb18030",
    crlf=True,
)
