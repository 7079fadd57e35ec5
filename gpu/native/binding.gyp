# The AIVM kernel addon (node-gyp, node-addon-api). Built by gpu/native/build.mjs during `npm ci`
# (the package's `install` script); the CUDA plugin is built by the same script with nvcc, outside
# gyp, because it must stay a separate library that the addon opens with dlopen.
{
  'targets': [
    {
      'target_name': 'aivm_native',
      'sources': ['src/addon.cc', 'src/aivm_cpu.cpp', 'src/keccak_lanes.cpp'],
      'include_dirs': ['include', 'src'],
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      'defines': ['NAPI_VERSION=8'],
      'cflags_cc': ['-O3', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Wno-psabi'],
      'conditions': [
        ['OS=="linux"', {'libraries': ['-ldl', '-lpthread']}],
        ['OS=="mac"', {
          'xcode_settings': {
            'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
            'GCC_OPTIMIZATION_LEVEL': '3',
            'MACOSX_DEPLOYMENT_TARGET': '11.0',
          },
        }],
      ],
    },
  ],
  'conditions': [
    # Metal: the plugin libluxgpu_backend_metal.dylib and its compiled shader library, macOS only.
    # Not built or run on this project's Linux machines (see README "Native kernels").
    ['OS=="mac"', {
      'targets': [
        {
          'target_name': 'luxgpu_backend_metal',
          'type': 'shared_library',
          'product_prefix': 'lib',
          'product_extension': 'dylib',
          'sources': ['metal/metal_backend.mm', 'src/aivm_cpu.cpp', 'src/keccak_lanes.cpp'],
          'include_dirs': ['include', 'src'],
          'xcode_settings': {
            'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
            'CLANG_ENABLE_OBJC_ARC': 'YES',
            'GCC_OPTIMIZATION_LEVEL': '3',
            'MACOSX_DEPLOYMENT_TARGET': '11.0',
          },
          'link_settings': {
            'libraries': ['$(SDKROOT)/System/Library/Frameworks/Metal.framework', '$(SDKROOT)/System/Library/Frameworks/Foundation.framework'],
          },
        },
        {
          'target_name': 'aivm_metallib',
          'type': 'none',
          'actions': [
            {
              'action_name': 'compile_metal',
              'inputs': ['metal/aivm_kernels.metal'],
              'outputs': ['<(PRODUCT_DIR)/aivm_kernels.metallib'],
              'action': ['sh', '-c', 'xcrun -sdk macosx metal -std=metal3.0 -O2 -c metal/aivm_kernels.metal -o <(INTERMEDIATE_DIR)/aivm_kernels.air && xcrun -sdk macosx metallib <(INTERMEDIATE_DIR)/aivm_kernels.air -o <(PRODUCT_DIR)/aivm_kernels.metallib'],
            },
          ],
        },
      ],
    }],
  ],
}
