// GraphQL text from the AST objects the graphql.* builtins return (gqlparser's JSON shape, see
// ast.ts): OPA accepts those objects back as queries and schemas, and graphql-js parses text.
type Obj = Record<string, unknown>;

const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

function printValue(v: unknown): string {
  const o = (v ?? {}) as Obj;
  const raw = str(o.Raw);
  switch (o.Kind) {
    case 0:
      return `$${raw}`;
    case 3:
    case 4:
      return JSON.stringify(raw);
    case 8:
      return `[${list(o.Children)
        .map((c) => printValue(c.Value))
        .join(", ")}]`;
    case 9:
      return `{${list(o.Children)
        .map((c) => `${str(c.Name)}: ${printValue(c.Value)}`)
        .join(", ")}}`;
    default:
      return raw;
  }
}

function printType(t: unknown): string {
  const o = (t ?? {}) as Obj;
  const inner = o.Elem ? `[${printType(o.Elem)}]` : str(o.NamedType);
  return o.NonNull ? `${inner}!` : inner;
}

const printArgs = (args: unknown) => {
  const items = list(args).map((a) => `${str(a.Name)}: ${printValue(a.Value)}`);
  return items.length ? `(${items.join(", ")})` : "";
};

const printDirectives = (dirs: unknown) =>
  list(dirs)
    .map((d) => ` @${str(d.Name)}${printArgs(d.Arguments)}`)
    .join("");

const printVariables = (vars: unknown) => {
  const items = list(vars).map(
    (v) =>
      `$${str(v.Variable)}: ${printType(v.Type)}${v.DefaultValue ? ` = ${printValue(v.DefaultValue)}` : ""}${printDirectives(v.Directives)}`,
  );
  return items.length ? `(${items.join(", ")})` : "";
};

function printSelections(sel: unknown): string {
  const items = list(sel).map((s) => {
    if ("Alias" in s) {
      const alias = str(s.Alias) && s.Alias !== s.Name ? `${str(s.Alias)}: ` : "";
      return `${alias}${str(s.Name)}${printArgs(s.Arguments)}${printDirectives(s.Directives)}${s.SelectionSet ? ` ${printSelections(s.SelectionSet)}` : ""}`;
    }
    if ("TypeCondition" in s || "SelectionSet" in s) {
      const on = str(s.TypeCondition) ? ` on ${str(s.TypeCondition)}` : "";
      return `...${on}${printDirectives(s.Directives)} ${printSelections(s.SelectionSet)}`;
    }
    return `...${str(s.Name)}${printDirectives(s.Directives)}`;
  });
  return `{ ${items.join(" ")} }`;
}

export function printQuery(doc: Obj): string {
  const ops = list(doc.Operations).map(
    (o) =>
      `${str(o.Operation) || "query"} ${str(o.Name)}${printVariables(o.VariableDefinitions)}${printDirectives(o.Directives)} ${printSelections(o.SelectionSet)}`,
  );
  const frags = list(doc.Fragments).map(
    (f) =>
      `fragment ${str(f.Name)}${printVariables(f.VariableDefinition)} on ${str(f.TypeCondition)}${printDirectives(f.Directives)} ${printSelections(f.SelectionSet)}`,
  );
  return [...ops, ...frags].join("\n");
}

const description = (d: unknown) => (str(d) ? `${JSON.stringify(str(d))} ` : "");

const printInputValues = (args: unknown, open = "(", close = ")") => {
  const items = list(args).map(
    (a) =>
      `${description(a.Description)}${str(a.Name)}: ${printType(a.Type)}${a.DefaultValue ? ` = ${printValue(a.DefaultValue)}` : ""}${printDirectives(a.Directives)}`,
  );
  return items.length ? `${open}${items.join(", ")}${close}` : "";
};

const KEYWORDS: Record<string, string> = {
  OBJECT: "type",
  INTERFACE: "interface",
  UNION: "union",
  ENUM: "enum",
  INPUT_OBJECT: "input",
  SCALAR: "scalar",
};

function printDefinition(d: Obj, extend: boolean): string {
  const kind = str(d.Kind);
  let text = `${extend ? "extend " : description(d.Description)}${KEYWORDS[kind] ?? "type"} ${str(d.Name)}`;
  const interfaces = list(d.Interfaces) as unknown as string[];
  if (interfaces.length) text += ` implements ${interfaces.join(" & ")}`;
  text += printDirectives(d.Directives);
  if (kind === "UNION" && list(d.Types).length) {
    text += ` = ${(list(d.Types) as unknown as string[]).join(" | ")}`;
  } else if (kind === "ENUM" && list(d.EnumValues).length) {
    text += ` { ${list(d.EnumValues)
      .map((v) => `${description(v.Description)}${str(v.Name)}${printDirectives(v.Directives)}`)
      .join(" ")} }`;
  } else if (kind === "INPUT_OBJECT") {
    text += printInputValues(d.Fields, " { ", " }");
  } else if (list(d.Fields).length) {
    text += ` { ${list(d.Fields)
      .map(
        (f) =>
          `${description(f.Description)}${str(f.Name)}${printInputValues(f.Arguments)}: ${printType(f.Type)}${printDirectives(f.Directives)}`,
      )
      .join(" ")} }`;
  }
  return text;
}

export function printSchema(doc: Obj): string {
  const parts: string[] = [];
  const schema = (s: Obj, extend: boolean) => {
    const ops = list(s.OperationTypes).map((o) => `${str(o.Operation)}: ${str(o.Type)}`);
    return `${extend ? "extend " : description(s.Description)}schema${printDirectives(s.Directives)}${ops.length ? ` { ${ops.join(" ")} }` : ""}`;
  };
  for (const s of list(doc.Schema)) parts.push(schema(s, false));
  for (const s of list(doc.SchemaExtension)) parts.push(schema(s, true));
  for (const d of list(doc.Directives)) {
    parts.push(
      `${description(d.Description)}directive @${str(d.Name)}${printInputValues(d.Arguments)}${d.IsRepeatable ? " repeatable" : ""} on ${(list(d.Locations) as unknown as string[]).join(" | ")}`,
    );
  }
  for (const d of list(doc.Definitions)) parts.push(printDefinition(d, false));
  for (const d of list(doc.Extensions)) parts.push(printDefinition(d, true));
  return parts.join("\n");
}
