// Builds the page: bundles content/src (TypeScript) with Vue's runtime-only build and
// @microsoft/signalr from node_modules into content/dist/app.js. Templates (*.template.html)
// are compiled to render functions here, so the browser needs no template compiler and no
// eval (the page's CSP has script-src 'self'). No CDN, nothing fetched at run time.
const { build } = require('esbuild');
const { readFile } = require('node:fs/promises');
const { join } = require('node:path');
const { compile } = require('@vue/compiler-dom');

/** `import { render } from './X.template.html'`: Vue's compiler, module mode, statics hoisted. */
const vueTemplates = {
  name: 'vue-templates',
  setup(build) {
    build.onLoad({ filter: /\.template\.html$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const errors = [];
      const { code } = compile(source, {
        mode: 'module',
        prefixIdentifiers: true,
        hoistStatic: true,
        onError: (error) => errors.push({ text: error.message }),
      });
      return { contents: code, loader: 'js', errors };
    });
  },
};

build({
  entryPoints: [join(__dirname, 'src', 'main.ts')],
  outfile: join(__dirname, 'dist', 'app.js'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  alias: { vue: 'vue/dist/vue.runtime.esm-bundler.js' },
  plugins: [vueTemplates],
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    'process.env.NODE_ENV': '"production"',
  },
  logLevel: 'warning',
}).catch(() => process.exit(1));
