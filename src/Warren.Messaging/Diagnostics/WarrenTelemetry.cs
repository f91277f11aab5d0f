using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Warren.Messaging.Diagnostics;

/// <summary>
/// The library's OpenTelemetry sources: add <see cref="SourceName"/> to a tracer provider
/// (<c>.AddSource("Warren.Messaging")</c>) and to a meter provider (<c>.AddMeter("Warren.Messaging")</c>).
/// Spans: <c>&lt;name&gt; publish|send|request|gather</c> (producer) and <c>&lt;name&gt; handle</c>
/// (consumer, child of the sender's span through the W3C <c>traceparent</c> header).
/// </summary>
public static class WarrenTelemetry
{
    /// <summary>The name of the ActivitySource and the Meter.</summary>
    public const string SourceName = "Warren.Messaging";

    internal static readonly ActivitySource Source = new(SourceName, typeof(WarrenTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(SourceName, typeof(WarrenTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> Published = Meter.CreateCounter<long>("warren.messaging.published", "{message}", "Messages published, sent or requested.");

    internal static readonly Counter<long> Handled = Meter.CreateCounter<long>("warren.messaging.handled", "{message}", "Messages handled successfully.");

    internal static readonly Counter<long> Failed = Meter.CreateCounter<long>("warren.messaging.failed", "{message}", "Handler attempts that threw.");

    internal static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("warren.messaging.handle.duration", "ms", "Time spent in handlers.");

    internal const string TraceParentHeader = "traceparent";
    internal const string TraceStateHeader = "tracestate";
}
