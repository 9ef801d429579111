//! WebGPU smoke test in headless Chromium: ask wgpu for an adapter and print
//! what the browser offers. Chromium needs --enable-unsafe-webgpu (see
//! tests/webdriver.json); without an adapter the test says why and passes,
//! because the page must work (on the CPU path) without WebGPU too.

#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn webgpu_adapter_reports_its_info() {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends: wgpu::Backends::BROWSER_WEBGPU,
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    });
    match instance
        .request_adapter(&wgpu::RequestAdapterOptions::default())
        .await
    {
        Ok(adapter) => {
            let info = adapter.get_info();
            console_log!(
                "WebGPU adapter: name {:?}, vendor {:?}, device type {:?}, backend {:?}",
                info.name,
                info.vendor,
                info.device_type,
                info.backend
            );
            assert_eq!(info.backend, wgpu::Backend::BrowserWebGpu);
            let limits = adapter.limits();
            console_log!(
                "max workgroup storage {} B, max invocations per workgroup {}",
                limits.max_compute_workgroup_storage_size,
                limits.max_compute_invocations_per_workgroup
            );
            assert!(limits.max_compute_invocations_per_workgroup >= 64);
        }
        Err(e) => console_log!("skipped: no WebGPU adapter in this browser ({e})"),
    }
}
