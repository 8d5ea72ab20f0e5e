/** A `.template.html` file, compiled to a Vue render function by content/build.js. */
declare module '*.template.html' {
  import type { RenderFunction } from 'vue';
  export const render: RenderFunction;
}
