"""The peer: what an analyst would write in pandas + jieba for two of kefu's figures, over the same messages.csv.

1. Response times: sessions split at 30-minute gaps, turns (a run of customer messages, answered by the next agent
   message; bot/system messages ignored), per agent: turns, average response capped at 600 s, share within 20 s.
2. A keyword violation count: every agent message cut with jieba (default mode, as `jieba.lcut` does), tokens
   looked up in a list of banned and negative words, hits counted per agent.

Not a port of kefu: no business hours, phases, rejects or encodings; it is the straightforward script kefu is
compared with in BENCHMARKS.md. Usage: python3 peer.py INPUT_DIR [OUT_DIR]
"""
import sys
import time

import jieba
import pandas as pd

GAP_SECS = 30 * 60
CAP_SECS = 600
TARGET_SECS = 20
WORDS = [
    "肥仔", "肥佬", "胖子", "肉堆", "死胖子", "矮子", "丑八怪",
    "不知道", "没办法", "随便你", "急什么", "爱买不买", "不归我管", "我怎么知道", "不关我事", "自己去查",
    "加微信", "私聊", "微信号", "QQ号", "补运费", "补邮费", "运费自理",
]


def main():
    src = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else None
    t0 = time.time()
    jieba.setLogLevel(60)
    for w in WORDS:
        jieba.add_word(w)
    df = pd.read_csv(f"{src}/messages.csv", dtype=str, keep_default_na=False)
    df["ts"] = pd.to_datetime(df["timestamp"])
    t_read = time.time()

    # Response times.
    m = df[df["sender"].isin(["customer", "agent"])].sort_values(["conversation_id", "ts"], kind="stable")
    m = m.reset_index(drop=True)
    prev_ts = m.groupby("conversation_id")["ts"].shift()
    new_session = prev_ts.isna() | ((m["ts"] - prev_ts).dt.total_seconds() > GAP_SECS)
    m["session"] = new_session.cumsum()
    prev_sender = m.groupby("session")["sender"].shift()
    m["turn_start"] = (m["sender"] == "customer") & (prev_sender != "customer")
    m["turn"] = m["turn_start"].cumsum()
    starts = m[m["turn_start"]][["session", "turn", "agent_id", "ts"]]
    answers = m[m["sender"] == "agent"].groupby(["session", "turn"])["ts"].first().rename("answer_ts")
    turns = starts.join(answers, on=["session", "turn"])
    secs = (turns["answer_ts"] - turns["ts"]).dt.total_seconds()
    turns["capped"] = secs.fillna(CAP_SECS).clip(upper=CAP_SECS)
    turns["within"] = secs.le(TARGET_SECS)
    response = turns.groupby("agent_id").agg(
        turns=("turn", "size"), avg_response_secs=("capped", "mean"), within_target_rate=("within", "mean")
    )
    t_turns = time.time()

    # Keyword violations.
    words = set(WORDS)
    agent = df[df["sender"] == "agent"]
    hits = agent["text"].map(lambda t: sum(1 for w in jieba.lcut(t) if w in words))
    violations = hits.groupby(agent["agent_id"]).sum().rename("violations")
    t_words = time.time()

    result = response.join(violations, how="outer").fillna({"violations": 0})
    if out:
        result.to_csv(f"{out}/peer_agents.csv")
    print(
        f'{{"messages": {len(df)}, "turns": {len(turns)}, "violations": {int(violations.sum())}, '
        f'"read_secs": {t_read - t0:.2f}, "turns_secs": {t_turns - t_read:.2f}, '
        f'"keywords_secs": {t_words - t_turns:.2f}, "total_secs": {time.time() - t0:.2f}}}'
    )


if __name__ == "__main__":
    main()
