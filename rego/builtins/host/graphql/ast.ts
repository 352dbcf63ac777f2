// graphql-js documents as OPA shows GraphQL ASTs: the JSON of gqlparser's Go structs (field names
// such as Operations, SelectionSet, Kind numbers for values), without positions, nulls and empty
// lists or objects (OPA prunes those; empty strings and false stay).
import type {
  ArgumentNode,
  ConstDirectiveNode,
  DefinitionNode,
  DirectiveNode,
  DocumentNode,
  FieldDefinitionNode,
  InputValueDefinitionNode,
  SelectionNode,
  TypeNode,
  ValueNode,
  VariableDefinitionNode,
} from "graphql";
import { Kind } from "graphql";

type Json = unknown;

/** gqlparser's ValueKind numbers. */
const VALUE_KIND: Record<string, number> = {
  [Kind.VARIABLE]: 0,
  [Kind.INT]: 1,
  [Kind.FLOAT]: 2,
  [Kind.STRING]: 3,
  [Kind.BOOLEAN]: 5,
  [Kind.NULL]: 6,
  [Kind.ENUM]: 7,
  [Kind.LIST]: 8,
  [Kind.OBJECT]: 9,
};

export function value(v: ValueNode): Json {
  switch (v.kind) {
    case Kind.VARIABLE:
      return { Kind: 0, Raw: v.name.value };
    case Kind.INT:
    case Kind.FLOAT:
    case Kind.ENUM:
      return { Kind: VALUE_KIND[v.kind], Raw: v.value };
    case Kind.STRING:
      return { Kind: v.block ? 4 : 3, Raw: v.value };
    case Kind.BOOLEAN:
      return { Kind: 5, Raw: String(v.value) };
    case Kind.NULL:
      return { Kind: 6, Raw: "null" };
    case Kind.LIST:
      return { Kind: 8, Raw: "", Children: v.values.map((x) => ({ Name: "", Value: value(x) })) };
    case Kind.OBJECT:
      return {
        Kind: 9,
        Raw: "",
        Children: v.fields.map((f) => ({ Name: f.name.value, Value: value(f.value) })),
      };
  }
}

export function type(t: TypeNode): Json {
  switch (t.kind) {
    case Kind.NAMED_TYPE:
      return { NamedType: t.name.value, NonNull: false };
    case Kind.LIST_TYPE:
      return { NamedType: "", Elem: type(t.type), NonNull: false };
    case Kind.NON_NULL_TYPE:
      return { ...(type(t.type) as object), NonNull: true };
  }
}

const args = (list: readonly ArgumentNode[] | undefined) =>
  list?.map((a) => ({ Name: a.name.value, Value: value(a.value) }));

const directives = (list: readonly (DirectiveNode | ConstDirectiveNode)[] | undefined) =>
  list?.map((d) => ({ Name: d.name.value, Arguments: args(d.arguments), Location: "" }));

const variables = (list: readonly VariableDefinitionNode[] | undefined) =>
  list?.map((v) => ({
    Variable: v.variable.name.value,
    Type: type(v.type),
    DefaultValue: v.defaultValue && value(v.defaultValue),
    Directives: directives(v.directives),
    Used: false,
  }));

function selections(list: readonly SelectionNode[] | undefined): Json[] | undefined {
  return list?.map((s) => {
    switch (s.kind) {
      case Kind.FIELD:
        return {
          Alias: s.alias?.value ?? s.name.value,
          Name: s.name.value,
          Arguments: args(s.arguments),
          Directives: directives(s.directives),
          SelectionSet: selections(s.selectionSet?.selections),
        };
      case Kind.FRAGMENT_SPREAD:
        return { Name: s.name.value, Directives: directives(s.directives) };
      case Kind.INLINE_FRAGMENT:
        return {
          TypeCondition: s.typeCondition?.name.value ?? "",
          Directives: directives(s.directives),
          SelectionSet: selections(s.selectionSet.selections),
        };
    }
  });
}

/** gqlparser's QueryDocument: {Operations, Fragments}. */
export function queryDocument(doc: DocumentNode): Json {
  const operations: Json[] = [];
  const fragments: Json[] = [];
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) {
      operations.push({
        Operation: d.operation,
        Name: d.name?.value ?? "",
        VariableDefinitions: variables(d.variableDefinitions),
        Directives: directives(d.directives),
        SelectionSet: selections(d.selectionSet.selections),
      });
    } else if (d.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.push({
        Name: d.name.value,
        VariableDefinition: variables(d.variableDefinitions),
        TypeCondition: d.typeCondition.name.value,
        Directives: directives(d.directives),
        SelectionSet: selections(d.selectionSet.selections),
      });
    }
  }
  return prune({ Operations: operations, Fragments: fragments });
}

const inputValue = (a: InputValueDefinitionNode) => ({
  Description: a.description?.value ?? "",
  Name: a.name.value,
  DefaultValue: a.defaultValue && value(a.defaultValue),
  Type: type(a.type),
  Directives: directives(a.directives),
});

const fieldDefinition = (f: FieldDefinitionNode) => ({
  Description: f.description?.value ?? "",
  Name: f.name.value,
  Arguments: f.arguments?.map(inputValue),
  Type: type(f.type),
  Directives: directives(f.directives),
});

const TYPE_KINDS: Record<string, string> = {
  [Kind.OBJECT_TYPE_DEFINITION]: "OBJECT",
  [Kind.OBJECT_TYPE_EXTENSION]: "OBJECT",
  [Kind.INTERFACE_TYPE_DEFINITION]: "INTERFACE",
  [Kind.INTERFACE_TYPE_EXTENSION]: "INTERFACE",
  [Kind.UNION_TYPE_DEFINITION]: "UNION",
  [Kind.UNION_TYPE_EXTENSION]: "UNION",
  [Kind.ENUM_TYPE_DEFINITION]: "ENUM",
  [Kind.ENUM_TYPE_EXTENSION]: "ENUM",
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: "INPUT_OBJECT",
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: "INPUT_OBJECT",
  [Kind.SCALAR_TYPE_DEFINITION]: "SCALAR",
  [Kind.SCALAR_TYPE_EXTENSION]: "SCALAR",
};

/** A type definition or extension as gqlparser's Definition. */
function definition(d: DefinitionNode): Json {
  const n = d as DefinitionNode & Record<string, unknown>;
  const names = (list: unknown) =>
    (list as { name: { value: string } }[] | undefined)?.map((x) => x.name.value);
  let fields: Json[] | undefined;
  if (d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || d.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) {
    fields = d.fields?.map(inputValue);
  } else if ("fields" in d && d.fields) {
    fields = (d.fields as readonly FieldDefinitionNode[]).map(fieldDefinition);
  }
  return {
    Kind: TYPE_KINDS[d.kind],
    Description: (n.description as { value: string } | undefined)?.value ?? "",
    Name: (n.name as { value: string }).value,
    Directives: directives(n.directives as readonly DirectiveNode[] | undefined),
    Interfaces: names(n.interfaces),
    Fields: fields,
    Types: names(n.types),
    EnumValues:
      d.kind === Kind.ENUM_TYPE_DEFINITION || d.kind === Kind.ENUM_TYPE_EXTENSION
        ? d.values?.map((v) => ({
            Description: v.description?.value ?? "",
            Name: v.name.value,
            Directives: directives(v.directives),
          }))
        : undefined,
    BuiltIn: false,
  };
}

/** gqlparser's SchemaDocument: {Schema, SchemaExtension, Directives, Definitions, Extensions}. */
export function schemaDocument(doc: DocumentNode): Json {
  const out: Record<string, Json[]> = {
    Schema: [],
    SchemaExtension: [],
    Directives: [],
    Definitions: [],
    Extensions: [],
  };
  for (const d of doc.definitions) {
    switch (d.kind) {
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION:
        out[d.kind === Kind.SCHEMA_DEFINITION ? "Schema" : "SchemaExtension"]!.push({
          Description: d.kind === Kind.SCHEMA_DEFINITION ? (d.description?.value ?? "") : "",
          Directives: directives(d.directives),
          OperationTypes: d.operationTypes?.map((o) => ({
            Operation: o.operation,
            Type: o.type.name.value,
          })),
        });
        break;
      case Kind.DIRECTIVE_DEFINITION:
        out.Directives!.push({
          Description: d.description?.value ?? "",
          Name: d.name.value,
          Arguments: d.arguments?.map(inputValue),
          Locations: d.locations.map((l) => l.value),
          IsRepeatable: d.repeatable,
        });
        break;
      default:
        if (d.kind.endsWith("Extension")) out.Extensions!.push(definition(d));
        else if (TYPE_KINDS[d.kind]) out.Definitions!.push(definition(d));
    }
  }
  return prune(out);
}

/** OPA's pruning: no nulls, no empty lists or objects (after pruning their insides). */
export function prune(v: Json): Json {
  if (Array.isArray(v)) {
    return v.map(prune).filter((x) => x !== null && x !== undefined && !isEmpty(x));
  }
  if (v !== null && typeof v === "object") {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "Position" || x === null || x === undefined) continue;
      const p = prune(x);
      if (!isEmpty(p)) out[k] = p;
    }
    return out;
  }
  return v;
}

const isEmpty = (v: Json) =>
  (Array.isArray(v) && v.length === 0) ||
  (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);
