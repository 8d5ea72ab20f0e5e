// Builds the page: bundles content/src (TypeScript) with Vue and @microsoft/signalr from
// node_modules into content/dist/app.js. No CDN, nothing fetched at run time.
const { build } = require('esbuild');
const { join } = require('node:path');

build({
  entryPoints: [join(__dirname, 'src', 'main.ts')],
  outfile: join(__dirname, 'dist', 'app.js'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  // The full build compiles the component's template in the browser; no SFC tooling needed.
  alias: { vue: 'vue/dist/vue.esm-bundler.js' },
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    'process.env.NODE_ENV': '"production"',
  },
  logLevel: 'warning',
}).catch(() => process.exit(1));
