/** Every cmdlet the runner knows, and the host's Write-* cmdlets. Anything else is "not recognized". */
import type { Cmdlet } from "./binding";
import { EXCHANGE_CMDLETS } from "./cmdlets-exchange";
import { EXCHANGE_LOOKUP_CMDLETS } from "./cmdlets-exchange-lookup";
import { GRAPH_CMDLETS } from "./cmdlets-graph";
import { notSupported, PSError } from "./errors";
import { PSHash, PSObject, toText, type PSValue } from "./values";

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

/**
 * Where-Object in its comparison-statement form (Where-Object [-Property] <name> [[-Value] <v>] -EQ|-NE,
 * PowerShell 3.0+; microsoft.powershell.core/where-object): keeps the piped objects whose property
 * equals (or not) the value, compared as PowerShell's -eq does for strings — case-insensitively.
 * Script-block filters ({ $_.X -eq … }) are not modelled: refused as unsupported syntax by the evaluator.
 */
const WHERE_OBJECT: Cmdlet = {
  name: "Where-Object", module: "core", pipelineInput: true,
  params: { Property: { type: "string", mandatory: true, position: 0 }, Value: { type: "object", position: 1 }, EQ: { type: "switch" }, NE: { type: "switch" } },
  run(_s, a, input = []) {
    const want = toText((Array.isArray(a.Value) && a.Value.length === 1 ? a.Value[0]! : a.Value) ?? null).toLowerCase();
    const prop = toText(a.Property);
    const get = (x: PSValue) => (x instanceof PSObject || x instanceof PSHash ? x.get(prop) ?? null : null);
    const equal = (x: PSValue) => toText(get(x) ?? "").toLowerCase() === want;
    const truthy = (x: PSValue) => { const v = get(x); return v !== null && v !== "" && v !== 0 && v !== false && !(Array.isArray(v) && v.length === 0); };
    if (a.EQ === true && a.NE === true) throw new PSError("Parameter set cannot be resolved using the specified named parameters.", { category: "InvalidArgument", exceptionType: "ParameterBindingException", errorId: "AmbiguousParameterSet" });
    // Without an operator: the objects whose property is true (Where-Object <Property>); with a value but no
    // operator PowerShell's behaviour is not modelled — refused rather than guessed.
    if (a.EQ !== true && a.NE !== true && a.Value !== undefined) throw notSupported("Where-Object with a value but no -EQ or -NE");
    const kept = input.filter((x) => (a.NE === true ? !equal(x) : a.EQ === true ? equal(x) : truthy(x)));
    return kept.length === 0 ? null : kept.length === 1 ? kept[0]! : kept;
  },
};

const ALL = [WHERE_OBJECT, ...HOST_CMDLETS, ...GRAPH_CMDLETS, ...EXCHANGE_CMDLETS, ...EXCHANGE_LOOKUP_CMDLETS];

export function findCmdlet(name: string, exchangeLoaded: boolean): Cmdlet | undefined {
  const c = ALL.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (c?.module === "exchange" && !exchangeLoaded) return undefined;
  return c;
}
