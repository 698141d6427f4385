// LSP's Range collides with System.Range (imported by ImplicitUsings); in this project "Range" means the LSP one.
// Range expressions (a[1..2]) do not look the name up, so they keep working.
global using Range = CodeAssist.Server.Protocol.Range;
