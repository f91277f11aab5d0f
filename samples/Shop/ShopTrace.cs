using System.Diagnostics;
using System.Globalization;

namespace Shop;

/// <summary>Who a handler runs as: the service and this instance's label (<c>shipping#2</c>).</summary>
public sealed record ServiceInstance(string Service, string Label);

/// <summary>
/// The readable trace: one line per step, from every service instance in this process, in the
/// order they happen. Columns: seconds since start, instance, action, message name, correlation
/// id (shortened), details.
/// </summary>
public sealed class ShopTrace
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private int _width = 16;

    /// <summary>Prints the column titles, sized for the longest of <paramref name="labels"/>.</summary>
    public void Header(IEnumerable<string> labels)
    {
        _width = Math.Max(16, labels.Max(l => l.Length));
        lock (_gate)
        {
            Console.WriteLine($"  time  {"instance".PadRight(_width)}  action   message                 corr    details");
            Console.WriteLine($"  ----  {new string('-', _width)}  -------  ----------------------  ------  -------");
        }
    }

    /// <summary>A line for something <paramref name="instance"/> does.</summary>
    public void Line(ServiceInstance instance, string action, string message, string? correlationId, string details) =>
        Write(instance.Label, action, message, correlationId, details);

    /// <summary>A line for a message a handler received: adds the correlation id and the sender.</summary>
    public void Handled(ServiceInstance instance, string action, Warren.Messaging.MessageContext context, string details) =>
        Write(instance.Label, action, context.MessageName, context.CorrelationId, $"from {ShopServices.Display(context.Sender)}: {details}");

    /// <summary>A line without an instance (start, summary).</summary>
    public void Note(string text)
    {
        lock (_gate) Console.WriteLine(text);
    }

    private void Write(string instance, string action, string message, string? correlationId, string details)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{_clock.Elapsed.TotalSeconds,6:0.000}  {instance.PadRight(_width)}  {action,-7}  {message,-22}  {Short(correlationId),-6}  {details}");
        lock (_gate) Console.WriteLine(line);
    }

    /// <summary>
    /// The last six hex digits of an id. Warren's ids are UUIDv7: the head is the clock (the same for
    /// every message of a second), the tail is random, so the tail tells messages apart.
    /// </summary>
    public static string Short(string? id) => string.IsNullOrEmpty(id) ? "-" : id.Length <= 6 ? id : id[^6..];
}
