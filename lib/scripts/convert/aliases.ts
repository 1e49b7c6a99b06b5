import "server-only";
import { literalValue, type Node } from "./parse";

const QUALIFIED = /^(?:microsoft\.powershell\.utility\\)?(.*)$/i;
const ALIAS_COMMANDS = /^(?:(?:microsoft\.powershell\.utility\\)?(?:set|new)-alias|sal|nal)$/i;
/** Set-Alias/New-Alias parameters that take a value (the switches -Force, -PassThru, -WhatIf … take none). */
const VALUED = ["name", "value", "description", "option", "scope"];

export interface CommandAlias {
  /** The alias as written (compared case-insensitively, as PowerShell does). */
  name: string;
  line: number;
}

/**
 * The command aliases a script defines for `target`: `Set-Alias -Name mail -Value Send-MailMessage`,
 * `New-Alias smm Send-MailMessage`, `sal mail Microsoft.PowerShell.Utility\Send-MailMessage`. Name and Value
 * are Set-Alias's positions 0 and 1 (https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/set-alias).
 * Only literal names and values count: an alias built from variables is not followed. Scopes are not
 * followed either: an alias defined anywhere in the file counts for the whole file.
 */
export function aliasesOf(root: Node, target: string): CommandAlias[] {
  const out: CommandAlias[] = [];
  for (const cmd of root.descendantsOfType("command")) {
    const name = cmd.namedChildren.find((c) => c.type === "command_name")?.text ?? "";
    if (!ALIAS_COMMANDS.test(name)) continue;
    const elements = (cmd.childForFieldName("command_elements") ?? cmd.namedChildren.find((c) => c.type === "command_elements"))?.namedChildren ?? [];
    const bound: Record<string, Node> = {};
    const positional: Node[] = [];
    for (let i = 0; i < elements.length; i++) {
      const el = elements[i]!;
      if (el.type === "command_argument_sep" || el.type === "comment") continue;
      if (el.type === "command_parameter") {
        const written = el.text.replace(/^-/, "").replace(/:$/, "").toLowerCase();
        // PowerShell takes a unique prefix; "na"/"va" and longer are unique among Set-Alias's parameters.
        const param = written.length >= 2 ? VALUED.find((p) => p.startsWith(written)) : undefined;
        if (!param) continue;
        let j = i + 1;
        while (j < elements.length && elements[j]!.type === "command_argument_sep") j++;
        if (elements[j]) bound[param] = elements[j]!;
        i = j;
        continue;
      }
      positional.push(el);
    }
    const aliasNode = bound.name ?? positional.shift();
    const valueNode = bound.value ?? positional.shift();
    const alias = aliasNode ? literalValue(aliasNode) : null;
    const value = valueNode ? literalValue(valueNode) : null;
    if (!alias || !value) continue;
    if (QUALIFIED.exec(value)![1]!.toLowerCase() !== target.toLowerCase()) continue;
    if (!out.some((a) => a.name.toLowerCase() === alias.toLowerCase())) out.push({ name: alias, line: cmd.startPosition.row + 1 });
  }
  return out;
}
