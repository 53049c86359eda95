/** Types of serve-demo.mjs. */
export interface DemoServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
export function serveDemo(opts?: { root?: string; port?: number }): Promise<DemoServer>;
