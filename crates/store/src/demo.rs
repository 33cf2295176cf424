//! Demo loader, next.
