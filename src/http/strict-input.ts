/**
 * Strict input, one mechanism for every string an operation receives: inline
 * literals in the document and every string in the variables are checked
 * against src/common/strict-strings.ts once per request, before any resolver
 * runs. A refusal is BAD_USER_INPUT naming each field as the argument path it
 * feeds (`input.description`, `reservationId`), whichever way it was sent.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import { stringProblem } from '../common/strict-strings';
import { badInputs, type FieldProblem } from '../errors';

const join = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** Problems in inline literals, and the argument path each variable feeds (its first use). */
function inspectDocument(document: DocumentNode): { problems: FieldProblem[]; variablePaths: Map<string, string> } {
  const problems: FieldProblem[] = [];
  const variablePaths = new Map<string, string>();
  const walk = (value: ValueNode, path: string): void => {
    switch (value.kind) {
      case Kind.STRING: {
        const problem = stringProblem(value.value);
        if (problem) problems.push({ field: path, message: problem });
        return;
      }
      case Kind.VARIABLE:
        if (!variablePaths.has(value.name.value)) variablePaths.set(value.name.value, path);
        return;
      case Kind.LIST:
        value.values.forEach((item, i) => walk(item, join(path, i)));
        return;
      case Kind.OBJECT:
        for (const field of value.fields) walk(field.value, join(path, field.name.value));
        return;
      default:
    }
  };
  visit(document, {
    Argument(node) {
      walk(node.value, node.name.value);
      return false;
    },
    // default values of variables are input too
    VariableDefinition(node) {
      if (node.defaultValue) walk(node.defaultValue, `$${node.variable.name.value}`);
      return false;
    },
  });
  return { problems, variablePaths };
}

function inspectValue(value: unknown, path: string, problems: FieldProblem[]): void {
  if (typeof value === 'string') {
    const problem = stringProblem(value);
    if (problem) problems.push({ field: path, message: problem });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => inspectValue(item, join(path, i), problems));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) inspectValue(item, join(path, key), problems);
  }
}

/** The problems of one request's strings (exported for the unit test of field naming). */
export function strictInputProblems(document: DocumentNode, variables: Record<string, unknown> | undefined): FieldProblem[] {
  const { problems, variablePaths } = inspectDocument(document);
  for (const [name, value] of Object.entries(variables ?? {})) {
    inspectValue(value, variablePaths.get(name) ?? `$${name}`, problems);
  }
  return problems;
}

export function strictInputPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const problems = strictInputProblems(document, request.variables);
          if (problems.length) throw badInputs(problems, { status: 400 });
        },
      };
    },
  };
}
