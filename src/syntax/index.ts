// Public API of the Alloy syntax front end: tokens and positions, scanner,
// AST, parser, diagnostics and the formatter.

export {
  binaryPrecedence,
  HighestPrecedence,
  isKeyword,
  isLiteral,
  isOperator,
  isValidPosition,
  lookupKeyword,
  LowestPrecedence,
  NoPos,
  NoPosition,
  Pos,
  type Position,
  positionString,
  SourceFile,
  Token,
  tokenString,
  UnaryPrecedence,
} from "./token.ts";

export type {
  AccessExpr,
  ArrayExpr,
  AttributeStmt,
  BinaryExpr,
  BlockStmt,
  Body,
  CallExpr,
  Comment,
  CommentGroup,
  Expr,
  File,
  Ident,
  IdentifierExpr,
  IndexExpr,
  LiteralExpr,
  Node,
  ObjectExpr,
  ObjectField,
  ParenExpr,
  Stmt,
  UnaryExpr,
} from "./ast.ts";
export { blockName, endPos, isExpr, isStmt, startPos, walk } from "./ast.ts";

export { type ErrorHandler, isDigit, isLetter, ScanMode, Scanner } from "./scanner.ts";

export {
  MAX_NESTING_DEPTH,
  parseExpression,
  parseExpressionWithDiagnostics,
  parseFile,
  parseFileWithDiagnostics,
  type ParseResult,
} from "./parser.ts";

export {
  allMessages,
  type Diagnostic,
  Diagnostics,
  diagnosticsMessage,
  diagnosticString,
  errorDiagnostic,
  formatDiagnostics,
  isDiagnostics,
  type PrinterConfig as DiagnosticPrinterConfig,
  Severity,
  type SourceFiles,
} from "./diag.ts";

export { format, printNode, type PrinterConfig } from "./printer.ts";

export { isValidIdentifier, sanitizeIdentifier } from "./identifier.ts";

export { formatRuneU, isPrint, quote, quoteBytes } from "./quote.ts";

export {
  Block,
  Body as BuilderBody,
  type BuilderToken,
  type BuilderValue,
  ExprBuilder,
  FileBuilder,
  formatNumber,
  literal,
  OrderedObject,
  renderTokens,
  tok,
  type Tokenizer,
  type ValueOverrideHook,
  valueTokens,
} from "./builder.ts";
