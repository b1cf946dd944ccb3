//! Medians and spreads of repeated measurements.

/// One figure measured once per round.
#[derive(Clone, Debug, Default)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    pub fn push(&mut self, v: f64) {
        self.0.push(v);
    }

    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        v
    }

    pub fn median(&self) -> f64 {
        let v = self.sorted();
        match v.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }

    /// The value below which a fraction `q` of the samples lie (nearest rank).
    pub fn quantile(&self, q: f64) -> f64 {
        let v = self.sorted();
        let rank = (q * v.len() as f64).ceil() as usize;
        v.get(rank.saturating_sub(1)).copied().unwrap_or(f64::NAN)
    }

    pub fn min(&self) -> f64 {
        self.sorted().first().copied().unwrap_or(f64::NAN)
    }

    pub fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(f64::NAN)
    }
}

/// The per-round ratios `a[i] / b[i]` of two figures measured side by side.
pub fn ratios(a: &Samples, b: &Samples) -> Samples {
    Samples(a.0.iter().zip(&b.0).map(|(x, y)| x / y).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(Samples(vec![3.0, 1.0, 2.0]).median(), 2.0);
        assert_eq!(Samples(vec![4.0, 1.0, 3.0, 2.0]).median(), 2.5);
        assert_eq!(Samples(vec![4.0, 1.0, 3.0]).min(), 1.0);
        let hundred = Samples((1..=100).rev().map(f64::from).collect());
        assert_eq!((hundred.quantile(0.5), hundred.quantile(0.99), hundred.quantile(1.0)), (50.0, 99.0, 100.0));
        assert_eq!(ratios(&Samples(vec![2.0, 9.0]), &Samples(vec![4.0, 3.0])).0, vec![0.5, 3.0]);
    }
}
