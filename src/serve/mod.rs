//! `wenji serve` (placeholder until the server is merged: only the page's assets).

pub mod assets;
