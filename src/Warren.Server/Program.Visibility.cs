// The warren executable's entry point stays internal: ASP.NET Core (the management API) would
// otherwise generate a public Program, which clashes with the Program of every program that
// embeds Warren.Server (CS0436).
internal sealed partial class Program;
