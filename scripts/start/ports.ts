import net from "node:net";

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** The preferred port when it is free, else the next free one above it. */
export async function freePort(preferred: number): Promise<number> {
  for (let p = preferred; p < preferred + 100; p++) if (await isFree(p)) return p;
  throw new Error(`no free port in ${preferred}–${preferred + 99}`);
}
