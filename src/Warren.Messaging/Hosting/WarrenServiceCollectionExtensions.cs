using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Warren.Messaging.Configuration;
using Warren.Messaging.Diagnostics;
using Warren.Messaging.Hosting;

// In the container's namespace, as is the convention for AddXxx extensions.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Warren in a service collection.</summary>
public static class WarrenServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Warren bus (<see cref="Warren.Messaging.IMessageBus"/>, <see cref="Warren.Messaging.WarrenBus"/>),
    /// its handlers (transient, one per message) and a hosted service that starts and stops it.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddWarren(o =>
    /// {
    ///     o.ServiceName = "billing";
    ///     o.UseAmqp("amqp://guest:guest@localhost:5672/");
    ///     o.AddHandler&lt;OrderPlacedHandler&gt;();
    /// });
    /// </code>
    /// </example>
    public static IServiceCollection AddWarren(this IServiceCollection services, Action<WarrenOptions> configure) => AddWarren(services, null, configure);

    /// <summary>
    /// The same, with the options read first from <paramref name="configuration"/> (e.g.
    /// <c>builder.Configuration.GetSection("Warren")</c>; keys: see <see cref="WarrenConfiguration"/>),
    /// then changed by <paramref name="configure"/> (handlers, filters, and anything code should decide).
    /// </summary>
    public static IServiceCollection AddWarren(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration? configuration, Action<WarrenOptions>? configure = null)
    {
        var options = new WarrenOptions();
        if (configuration is not null) options.Bind(configuration);
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton(options);
        foreach (var handler in options.Handlers) services.TryAddTransient(handler.HandlerType);
        foreach (var filter in options.Filters)
        {
            if (filter is Type type) services.TryAddSingleton(type);
        }
        services.AddSingleton(sp => new Warren.Messaging.WarrenBus(options, sp,
            sp.GetService<ILogger<Warren.Messaging.WarrenBus>>() ?? NullLogger<Warren.Messaging.WarrenBus>.Instance,
            sp.GetServices<Warren.Messaging.IMessageObserver>()));
        services.AddSingleton<Warren.Messaging.IMessageBus>(sp => sp.GetRequiredService<Warren.Messaging.WarrenBus>());
        services.AddSingleton<IHostedService, WarrenHostedService>();
        services.TryAddSingleton<WarrenHealthCheck>();
        return services;
    }
}
