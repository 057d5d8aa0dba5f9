//! `/site` tests.
