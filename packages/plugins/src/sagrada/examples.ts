import type { RouteExample } from '@polytoken/core'

/** sagrada.rst's request: sync 2.0, with a BrowserID assertion in Authorization. */
export const tokenExamples: readonly RouteExample[] = [{ name: 'sagrada.rst', summary: "sagrada.rst's request (sync 2.0)", params: { app_name: 'sync', app_version: '2.0' } }]
