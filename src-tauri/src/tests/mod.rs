//! Commands through Tauri's mock runtime, and every command fed arbitrary JSON.

mod fuzz;
mod ipc;
