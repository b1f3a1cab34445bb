{
  "targets": [
    {
      "target_name": "tunet",
      "sources": [
        "native/src/addon.cc",
        "native/src/ops.cc",
        "native/src/tensor_data.cc",
        "native/src/autograd.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node native/find-libtorch.cjs --include)"
      ],
      "defines": [
        "NAPI_EXPERIMENTAL",
        "NODE_API_EXPERIMENTAL_NOGC_ENV_OPT_OUT",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "_GLIBCXX_USE_CXX11_ABI=<!(node native/find-libtorch.cjs --abi)"
      ],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": [
        "-L<!(node native/find-libtorch.cjs --libdir)",
        "-Wl,-rpath,<!(node native/find-libtorch.cjs --libdir)",
        "-Wl,--no-as-needed",
        "-ltorch",
        "-ltorch_cpu",
        "-lc10"
      ]
    }
  ]
}
