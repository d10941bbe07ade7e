import ts from 'typescript';

/** A wait for time to pass, longer than one tick, found in a test source. */
export interface FixedWait {
  line: number;
  code: string;
  why: string;
}

const TIMER_MODULES = new Set(['timers/promises', 'node:timers/promises']);
const CALLBACK_TIMERS = new Set(['setTimeout', 'setInterval']);
/** Helpers that, given a number, can only be waiting for that long. */
const SLEEP_NAMES = /^(sleep|delay|pause|wait)$/i;

/**
 * The fixed waits in one source file: a `setTimeout`/`setInterval` with a delay other than 0 (unless its
 * handle is cleared and its callback is not a bare `resolve`: a guard that fires only when what is awaited
 * never comes), any timer of `timers/promises` with a delay, and `sleep(n)`-like calls with a number.
 */
export function fixedWaitsIn(fileName: string, text: string): FixedWait[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const promiseTimers = promiseTimerNames(source);
  const cleared = clearedHandles(source);
  const found: FixedWait[] = [];
  const report = (node: ts.Node, why: string) =>
    found.push({
      line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
      code: node.getText().split('\n')[0]!.slice(0, 120),
      why,
    });

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression);
      if (name && promiseTimers.has(name)) {
        if (!isTick(node.arguments[0])) report(node, `${name} from timers/promises waits for time`);
      } else if (name && CALLBACK_TIMERS.has(name)) {
        if (!isTick(node.arguments[1]) && !isGuard(node, cleared)) report(node, `${name} with a delay`);
      } else if (name && SLEEP_NAMES.test(name) && isPositiveNumber(node.arguments[0])) {
        report(node, `${name}(n) waits for time`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Local names bound to the timers of `timers/promises` (`setTimeout as sleep`, `scheduler`, a namespace). */
function promiseTimerNames(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!TIMER_MODULES.has(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) names.add(element.name.text);
    if (bindings && ts.isNamespaceImport(bindings)) {
      for (const timer of ['setTimeout', 'setInterval', 'wait']) names.add(`${bindings.name.text}.${timer}`);
    }
    if (statement.importClause?.name) {
      for (const timer of ['setTimeout', 'setInterval', 'wait'])
        names.add(`${statement.importClause.name.text}.${timer}`);
    }
  }
  // scheduler.wait(ms) when `scheduler` was imported.
  if (names.has('scheduler')) names.add('scheduler.wait');
  return names;
}

/** `setTimeout`, `globalThis.setTimeout`, `timers.setTimeout`, `scheduler.wait`: the name a call is judged by. */
function calleeName(callee: ts.Expression): string | undefined {
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
    const owner = callee.expression.text;
    const member = callee.name.text;
    if ((owner === 'globalThis' || owner === 'global') && CALLBACK_TIMERS.has(member)) return member;
    return `${owner}.${member}`;
  }
  return undefined;
}

/** No delay, or a literal 0: the callback runs on the next tick. */
function isTick(delay: ts.Expression | undefined): boolean {
  return delay === undefined || (ts.isNumericLiteral(delay) && Number(delay.text) === 0);
}

function isPositiveNumber(node: ts.Expression | undefined): boolean {
  return node !== undefined && ts.isNumericLiteral(node) && Number(node.text.replace(/_/g, '')) > 0;
}

/** A timer kept in a variable that the file clears, with a callback that does more than resolve: a timeout. */
function isGuard(call: ts.CallExpression, cleared: Set<string>): boolean {
  const callback = call.arguments[0];
  if (!callback || ts.isIdentifier(callback)) return false;
  const parent = call.parent;
  let handle: string | undefined;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) handle = parent.name.text;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    if (ts.isIdentifier(parent.left)) handle = parent.left.text;
  }
  return handle !== undefined && cleared.has(handle);
}

/** The variables passed to clearTimeout / clearInterval anywhere in the file. */
function clearedHandles(source: ts.SourceFile): Set<string> {
  const handles = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const [handle] = node.arguments;
      if (/^clear(Timeout|Interval)$/.test(node.expression.text) && handle && ts.isIdentifier(handle)) {
        handles.add(handle.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return handles;
}
