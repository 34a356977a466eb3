//! The astakos client.
