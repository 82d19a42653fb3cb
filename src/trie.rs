//! Rule terms as a trie over characters (`mask::char_key`, so text is never decoded), walked from token starts
//! for whole-word occurrences, or from every character for substrings (session rules).

use crate::mask::{char_key, key_of};
use jieba_rs::Token;
use std::collections::BTreeMap;

/// The terms as a trie over characters. A token's first character picks its node off `Roots`; each further
/// character of the text follows one edge among the node's few children. So a token costs one step per character
/// of the longest term prefix found there (usually none or one), however many terms share its first character.
#[derive(Clone)]
pub(crate) struct Trie {
    roots: Roots,
    /// Node 0 is "no node"; the others are reached from `roots`.
    nodes: Vec<Node>,
    /// Every node's children, as (character, node), contiguous per node; characters by `mask::char_key`, so the
    /// text is never decoded.
    edges: Vec<(u32, u32)>,
}

/// A trie's first characters and their nodes, for the test every token goes through: a table a quarter full,
/// open-addressed. (A 4,096-bit filter in front of it, to turn most tokens away with one load, bought 0.4 % of the
/// whole run at 1 M messages and was removed: BENCHMARKS.md, session 17.)
#[derive(Clone)]
struct Roots {
    /// The first characters (`mask::char_key`; `NO_KEY` is an empty slot), open-addressed, and their nodes beside
    /// them.
    keys: Vec<u32>,
    nodes: Vec<u32>,
    shift: u32,
}

/// An empty slot of `Roots::keys`: no character's UTF-8 bytes hold 0xFF.
const NO_KEY: u32 = u32::MAX;

impl Roots {
    fn new(roots: &BTreeMap<u32, u32>) -> Roots {
        let bits = (roots.len() * 4).next_power_of_two().trailing_zeros().max(4);
        let mut r = Roots { keys: vec![NO_KEY; 1 << bits], nodes: vec![0; 1 << bits], shift: 32 - bits };
        for (&key, &node) in roots {
            let mut i = r.slot(key);
            while r.keys[i] != NO_KEY {
                i = (i + 1) & (r.keys.len() - 1);
            }
            (r.keys[i], r.nodes[i]) = (key, node);
        }
        r
    }

    #[inline(always)]
    fn slot(&self, key: u32) -> usize {
        (key.wrapping_mul(0x85EB_CA77) >> self.shift) as usize
    }

    /// The node of the character `key`, if it starts a term.
    #[inline(always)]
    fn get(&self, key: u32) -> Option<u32> {
        let mut i = self.slot(key);
        loop {
            match self.keys[i] {
                k if k == key => return Some(self.nodes[i]),
                NO_KEY => return None,
                _ => i = (i + 1) & (self.keys.len() - 1),
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Node {
    /// The term ending here, or `NO_TERM`.
    term: u32,
    edges: u32,
    edge_count: u32,
}

const NO_TERM: u32 = u32::MAX;

impl Trie {
    /// The trie of the terms `keep` selects (by index), which keep their indices as ids.
    pub(crate) fn new(terms: &[String], keep: impl Fn(usize) -> bool) -> Trie {
        // Built with a map per node, then flattened into `edges`.
        let kept = || terms.iter().enumerate().filter(|(id, _)| keep(*id));
        let firsts: std::collections::BTreeSet<u32> =
            kept().map(|(_, t)| key_of(t.chars().next().expect("terms are not empty"))).collect();
        let roots: BTreeMap<u32, u32> = firsts.into_iter().zip(1..).collect();
        let mut kids: Vec<BTreeMap<u32, u32>> = vec![BTreeMap::new(); roots.len() + 1];
        let mut term_at: Vec<u32> = vec![NO_TERM; roots.len() + 1];
        for (id, t) in kept() {
            let mut chars = t.chars().map(key_of);
            let mut node = roots[&chars.next().expect("terms are not empty")];
            for c in chars {
                let next = kids.len() as u32;
                node = *kids[node as usize].entry(c).or_insert(next);
                if node == next {
                    kids.push(BTreeMap::new());
                    term_at.push(NO_TERM);
                }
            }
            term_at[node as usize] = id as u32;
        }
        let mut trie = Trie { roots: Roots::new(&roots), nodes: Vec::new(), edges: Vec::new() };
        for (k, term) in kids.iter().zip(term_at) {
            trie.nodes.push(Node { term, edges: trie.edges.len() as u32, edge_count: k.len() as u32 });
            trie.edges.extend(k.iter().map(|(&c, &n)| (c, n)));
        }
        trie
    }

    /// The node of the first character of `word` (a token's bytes), and that character's byte length.
    #[inline(always)]
    fn root(&self, word: &[u8]) -> Option<(u32, usize)> {
        let (key, len) = char_key(word)?;
        Some((self.roots.get(key)?, len))
    }

    /// Every occurrence of a term that starts on a token start and ends on a token end (so 没有 inside 有没有 is
    /// not 没有), in token order: `found(term, first token, past the last token, byte start, byte end)`, until it
    /// breaks.
    #[inline]
    pub(crate) fn occurrences(
        &self,
        bytes: &[u8],
        tokens: &[Token],
        mut found: impl FnMut(u32, usize, usize, usize, usize) -> std::ops::ControlFlow<()>,
    ) {
        for (i, t) in tokens.iter().enumerate() {
            let Some((mut node, len)) = self.root(t.word.as_bytes()) else { continue };
            let start = t.byte_start;
            let (mut end, mut j) = (start + len, i);
            loop {
                let n = self.nodes[node as usize];
                if n.term != NO_TERM {
                    // A whole-word match only if a token ends where the term ends.
                    while j < tokens.len() && tokens[j].byte_end < end {
                        j += 1;
                    }
                    if tokens.get(j).is_some_and(|t| t.byte_end == end)
                        && found(n.term, i, j + 1, start, end).is_break()
                    {
                        return;
                    }
                }
                if n.edge_count == 0 {
                    break;
                }
                match char_key(&bytes[end..]).and_then(|(c, l)| Some((self.child(&n, c)?, l))) {
                    Some((next, l)) => (node, end) = (next, end + l),
                    None => break,
                }
            }
        }
    }

    /// Every occurrence of a term as a substring of `text` (the readers' terms, which the rules' compound tokens
    /// must not hide: 发货 in 什么时候发货): `found(term, byte start, byte end)`, walking from every character
    /// (`roots` turns away those that start no term), until it breaks.
    pub(crate) fn substrings(&self, text: &str, mut found: impl FnMut(u32, usize, usize) -> std::ops::ControlFlow<()>) {
        let b = text.as_bytes();
        let mut i = 0;
        while let Some((key, char_len)) = char_key(&b[i..]) {
            if let Some(mut node) = self.roots.get(key) {
                let mut end = i + char_len;
                loop {
                    let n = self.nodes[node as usize];
                    if n.term != NO_TERM && found(n.term, i, end).is_break() {
                        return;
                    }
                    match char_key(&b[end..]).and_then(|(c, l)| Some((self.child(&n, c)?, l))) {
                        Some((next, l)) => (node, end) = (next, end + l),
                        None => break,
                    }
                }
            }
            i += char_len;
        }
    }

    /// Whether a term occurs anywhere in `text`, as a substring (亲 in 亲爱的).
    pub(crate) fn occurs_in(&self, text: &str) -> bool {
        let mut hit = false;
        self.substrings(text, |_, _, _| {
            hit = true;
            std::ops::ControlFlow::Break(())
        });
        hit
    }

    #[inline]
    fn child(&self, node: &Node, c: u32) -> Option<u32> {
        let edges = &self.edges[node.edges as usize..][..node.edge_count as usize];
        if edges.len() <= 8 {
            edges.iter().find(|e| e.0 == c).map(|e| e.1)
        } else {
            edges.binary_search_by_key(&c, |e| e.0).ok().map(|i| edges[i].1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_find_every_first_character_and_no_other() {
        // Three hundred CJK first characters (the table is then well filled), and first characters
        // of one, two, three and four bytes.
        let firsts: Vec<char> = ('一'..='龥').step_by(53).take(300).chain(['a', 'Z', '1', 'é', '😀', '，']).collect();
        let terms: Vec<String> = firsts.iter().map(|c| format!("{c}了")).collect();
        let trie = Trie::new(&terms, |_| true);
        let root = |c: char| trie.root(c.to_string().as_bytes()).map(|(node, len)| (trie.nodes[node as usize], len));
        for &c in &firsts {
            let (node, len) = root(c).unwrap_or_else(|| panic!("{c} starts a term"));
            assert_eq!((len, node.edge_count), (c.len_utf8(), 1), "{c}");
        }
        let others = ('一'..='龥').chain('\0'..='\u{7F}').chain(['è', '😁', '。']).filter(|c| !firsts.contains(c));
        for c in others {
            assert!(root(c).is_none(), "{c:?} starts no term");
        }
        for t in &terms {
            assert!(trie.occurs_in(&format!("好{t}")) && !trie.occurs_in(&t[..t.len() - "了".len()]), "{t}");
        }
    }
}
