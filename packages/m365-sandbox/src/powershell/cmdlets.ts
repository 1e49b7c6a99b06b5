/** Every cmdlet the runner knows, and the host's Write-* cmdlets. Anything else is "not recognized". */
import type { Cmdlet } from "./binding";
import { EXCHANGE_CMDLETS } from "./cmdlets-exchange";
import { GRAPH_CMDLETS } from "./cmdlets-graph";
import { toText } from "./values";

const HOST_CMDLETS: Cmdlet[] = [
  {
    name: "Write-Host", module: "core",
    params: { Object: { type: "object", position: 0 }, NoNewline: { type: "switch" }, ForegroundColor: { type: "string" }, BackgroundColor: { type: "string" }, Separator: { type: "object" } },
    run(s, a) {
      s.out.push(toText(a.Object ?? null));
    },
  },
  {
    name: "Write-Output", module: "core",
    params: { InputObject: { type: "object", position: 0 }, NoEnumerate: { type: "switch" } },
    run(_s, a) {
      return a.InputObject ?? null;
    },
  },
  {
    name: "Write-Warning", module: "core",
    params: { Message: { type: "string", mandatory: true, position: 0 } },
    run(s, a) {
      s.out.push(`WARNING: ${toText(a.Message)}`);
    },
  },
];

const ALL = [...HOST_CMDLETS, ...GRAPH_CMDLETS, ...EXCHANGE_CMDLETS];

export function findCmdlet(name: string, exchangeLoaded: boolean): Cmdlet | undefined {
  const c = ALL.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (c?.module === "exchange" && !exchangeLoaded) return undefined;
  return c;
}
