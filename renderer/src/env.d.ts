/// <reference types="vite/client" />
import type { BasiscopeBridge } from '../../core/api/bridge.ts'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the web mode. */
    basiscope?: BasiscopeBridge
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
