//! Small sets of ids (terms, rules) as bits, and the bit-mask helpers the text stage walks rule masks with.

/// A set of small ids (terms, rules) as bits, and which words of them hold any: a rule's terms fill a few
/// words of the dozen or more all terms take, so testing them against a message's reads only those.
#[derive(Debug, Clone, Default)]
pub(super) struct IdSet {
    bits: Vec<u64>,
    used: Vec<u32>,
}

impl IdSet {
    pub(super) fn of(ids: impl IntoIterator<Item = u32>, n: usize) -> Self {
        let mut set = IdSet { bits: vec![0u64; n.div_ceil(64)], used: Vec::new() };
        ids.into_iter().for_each(|i| set.insert(i));
        set
    }
    pub(super) fn contains(&self, i: u32) -> bool {
        self.bits.get(i as usize / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    pub(super) fn is_empty(&self) -> bool {
        self.used.is_empty()
    }
    /// Whether the sets share an id (`other` at least as large as this one).
    pub(super) fn intersects(&self, other: &IdSet) -> bool {
        self.used.iter().any(|&w| self.bits[w as usize] & other.bits[w as usize] != 0)
    }
    pub(super) fn insert(&mut self, i: u32) {
        let w = &mut self.bits[i as usize / 64];
        if *w == 0 {
            self.used.push(i / 64);
        }
        *w |= 1 << (i % 64);
    }
    pub(super) fn clear(&mut self) {
        self.used.iter().for_each(|&w| self.bits[w as usize] = 0);
        self.used.clear();
    }
}

/// The positions of the set bits of a bit mask of several words, lowest first.
pub(super) fn positions(words: &[u64]) -> impl Iterator<Item = usize> + '_ {
    words.iter().enumerate().flat_map(|(w, &bits)| set_bits(bits).map(move |b| w * 64 + b))
}

/// The positions of the set bits of `bits`, lowest first.
pub(super) fn set_bits(mut bits: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (bits != 0).then(|| {
            let b = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            b
        })
    })
}
