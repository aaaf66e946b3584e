//! Command-level tests: the real `insiden` binary run in temporary repositories.
//!
//! Add a case by building a [`Repo`] (files written from strings, optionally committed with
//! git), running the binary with [`Repo::run`], and asserting on the exit code and output.
#![allow(unreachable_pub)] // test helpers are shared between modules of one binary

mod support;

mod api;
mod autoresolve;
mod browser;
mod build;
mod check;
mod checks;
mod config;
mod consistency;
mod crash;
mod disclosure;
mod explain;
mod first_month;
mod init;
mod letter;
mod limits;
mod list_show;
mod new;
mod one_truth;
mod properties;
mod renumber;
mod report;
mod signing;
mod transition;
mod validate;
