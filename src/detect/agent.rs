//! Reading an agent message in one pass over its bytes: politeness (SPEC §5: a polite word, counts of 您 and 我)
//! and the personal-data prefilter's hints.

use super::Politeness;
use crate::words::POLITE;

/// The classes an agent message is read for, in one pass over its bytes (`mask::Classes`): the personal-data
/// prefilter's, 您 and 我 (counted), and the polite words: a one-character word as a class, a two-character one as
/// a pair of classes.
static AGENT_READER: std::sync::LazyLock<(crate::mask::Classes, PoliteClasses)> = std::sync::LazyLock::new(|| {
    let (mut chars, mut pairs) = (crate::mask::hint_classes(), crate::mask::HINT_PAIRS.to_vec());
    chars.extend([('您', NIN), ('我', WO)]);
    let mut polite = PoliteClasses::default();
    let mut next = 16u8;
    let mut class_of = |c: char, chars: &mut Vec<(char, u8)>| match chars.iter().find(|x| x.0 == c) {
        Some(&(_, class)) => class,
        None => {
            chars.push((c, next));
            next += 1;
            next - 1
        }
    };
    for w in POLITE {
        match w.chars().collect::<Vec<char>>()[..] {
            [c] => polite.one |= 1 << class_of(c, &mut chars),
            [a, b] => {
                let (a, b) = (class_of(a, &mut chars), class_of(b, &mut chars));
                pairs.push((a, b));
                polite.second |= 1 << b;
            }
            _ => panic!("polite words have one or two characters: {w}"),
        }
    }
    (crate::mask::Classes::new(&chars, &pairs), polite)
});

/// The classes of 您 and 我 in `AGENT_READER` (counted ones: 2 and 3).
const NIN: u8 = 2;
const WO: u8 = 3;

/// The polite words as `AGENT_READER` classes: the one-character words' classes, the two-character words' second
/// classes (as pairs).
#[derive(Default)]
struct PoliteClasses {
    one: u32,
    second: u32,
}

/// An agent message's politeness (您 and 我 counted, a polite word anywhere) and its personal-data hints, read in
/// one pass over the bytes: both run over every agent message, and agent messages are the long ones.
pub(super) fn read_agent(text: &str) -> (crate::mask::Hints, Politeness) {
    let (reader, words) = &*AGENT_READER;
    let t = reader.read(text);
    let (nin, wo) = (t.counts[NIN as usize - 1], t.counts[WO as usize - 1]);
    let polite = t.seen & words.one != 0 || t.pairs & words.second != 0;
    let cap = |n: u32| n.min(u16::MAX as u32) as u16;
    (crate::mask::Hints::from_tally(&t), Politeness { polite, nin: cap(nin), wo: cap(wo) })
}
