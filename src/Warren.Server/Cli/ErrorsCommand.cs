using System.CommandLine;
using System.Globalization;
using Warren.Messaging;
using Warren.Messaging.Transports.Amqp;

namespace Warren.Server.Cli;

/// <summary>
/// <c>warren errors list|replay</c>: a service's error queue, looked at and replayed from the
/// command line over AMQP (a Warren server or RabbitMQ). Exit codes: 0 done, 1 the broker or the
/// queue said no, 2 the command line is wrong.
/// </summary>
public static class ErrorsCommand
{
    private const string DefaultUri = "amqp://guest:guest@127.0.0.1:5672/";
    // The error column is cut here so that a row stays on one line of a wide terminal.
    private const int ErrorWidth = 80;

    /// <summary>The <c>errors</c> command with its <c>list</c> and <c>replay</c> subcommands.</summary>
    public static Command Create() => new("errors", "Look at and replay the error queue (<service>.error) of a Warren service") { CreateList(), CreateReplay() };

    private static Command CreateList()
    {
        var (service, uri) = (ServiceOption(), UriOption());
        var max = new Option<int>("--max") { Description = "Show at most this many messages, oldest first", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "Show the messages in a service's error queue, oldest first, without moving them") { service, uri, max };
        list.SetAction((parsed, cancellationToken) =>
        {
            var limit = parsed.GetValue(max);
            if (limit < 1) return Task.FromResult(Usage(parsed, "--max: must be 1 or more."));
            return RunAsync(parsed, service, uri, async (admin, output, _) =>
            {
                var failed = await admin.PeekAsync(limit, cancellationToken).ConfigureAwait(false);
                WriteTable(output, failed);
                output.WriteLine(failed.Count == limit
                    ? $"{failed.Count} message(s) shown from {admin.ErrorQueue}; there may be more (--max)."
                    : $"{failed.Count} message(s) in {admin.ErrorQueue}.");
                return 0;
            }, cancellationToken);
        });
        return list;
    }

    private static Command CreateReplay()
    {
        var (service, uri) = (ServiceOption(), UriOption());
        var ids = new Option<string[]>("--id") { Description = "Replay the message with this message id (repeatable)", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "Replay every message in the error queue" };
        var replay = new Command("replay", "Send failed messages back to the queues they failed in, and remove them from the error queue") { service, uri, ids, all };
        replay.SetAction((parsed, cancellationToken) =>
        {
            var wanted = new HashSet<string>(parsed.GetValue(ids) ?? [], StringComparer.Ordinal);
            var everything = parsed.GetValue(all);
            if (everything == wanted.Count > 0) return Task.FromResult(Usage(parsed, "replay: give either --all or one or more --id."));
            return RunAsync(parsed, service, uri, async (admin, output, error) =>
            {
                // A pass replays an id once, so with ids it can stop as soon as it has them all.
                var replayed = await admin.ReplayAsync(f => everything || (f.MessageId is { } id && wanted.Contains(id)),
                    everything ? int.MaxValue : wanted.Count, cancellationToken).ConfigureAwait(false);
                output.WriteLine($"Replayed {replayed.Count} message(s) from {admin.ErrorQueue}.");
                foreach (var f in replayed)
                {
                    if (f.MessageId is not null) wanted.Remove(f.MessageId);
                }
                if (wanted.Count == 0) return 0;
                error.WriteLine($"warren errors: not in {admin.ErrorQueue}: {string.Join(", ", wanted.Order(StringComparer.Ordinal))}");
                return 1;
            }, cancellationToken);
        });
        return replay;
    }

    private static Option<string> ServiceOption() => new("--service") { Description = "The service whose error queue to use", Required = true };

    private static Option<string> UriOption() => new("--uri") { Description = "The AMQP broker (Warren or RabbitMQ)", DefaultValueFactory = _ => DefaultUri };

    // Connects, runs the subcommand and turns the failures a user can cause into one line and an exit code.
    private static async Task<int> RunAsync(ParseResult parsed, Option<string> service, Option<string> uri,
        Func<ErrorQueueAdmin, TextWriter, TextWriter, Task<int>> run, CancellationToken cancellationToken)
    {
        var output = parsed.InvocationConfiguration.Output;
        var error = parsed.InvocationConfiguration.Error;
        var text = parsed.GetValue(uri)!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var broker) || broker.Scheme is not ("amqp" or "amqps"))
        {
            return Usage(parsed, $"--uri: '{text}' is not an AMQP URI (e.g. {DefaultUri}).");
        }
        var name = parsed.GetValue(service)!;
        try
        {
            var admin = await ErrorQueueAdmin.ConnectAsync(broker, name, cancellationToken).ConfigureAwait(false);
            await using (admin.ConfigureAwait(false))
            {
                return await run(admin, output, error).ConfigureAwait(false);
            }
        }
        catch (BrokerUnreachableException e)
        {
            error.WriteLine($"warren errors: {e.Message}");
        }
        catch (QueueNotFoundException e)
        {
            error.WriteLine($"warren errors: no queue '{e.Queue}' on the broker at {broker.Host}:{(broker.Port > 0 ? broker.Port : broker.Scheme == "amqps" ? 5671 : 5672)}; is '{name}' the service's name?");
        }
        catch (MessageUnroutableException e)
        {
            error.WriteLine($"warren errors: the queue a message failed in is gone, so it stays in the error queue: {e.Message}");
        }
        return 1;
    }

    private static int Usage(ParseResult parsed, string message)
    {
        parsed.InvocationConfiguration.Error.WriteLine($"warren errors: {message}");
        return 2;
    }

    private static void WriteTable(TextWriter output, IReadOnlyList<FailedMessage> failed)
    {
        string[] header = ["MESSAGE ID", "NAME", "FAILED IN", "ERROR", "ATTEMPTS", "FAILED AT (UTC)"];
        var rows = new List<string[]> { header };
        foreach (var f in failed)
        {
            rows.Add([
                f.MessageId ?? "-",
                f.Name ?? "-",
                f.Queue ?? "-",
                Cut($"{f.ExceptionType}: {f.ExceptionMessage}", ErrorWidth),
                f.Attempts.ToString(CultureInfo.InvariantCulture),
                f.FailedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
            ]);
        }
        var widths = new int[header.Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        }
        foreach (var row in rows)
        {
            var cells = new string[row.Length];
            for (var i = 0; i < row.Length; i++) cells[i] = i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i]);
            output.WriteLine(string.Join("  ", cells));
        }
    }

    private static string Cut(string text, int width)
    {
        text = text.ReplaceLineEndings(" ");
        return text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 3), "...");
    }
}
