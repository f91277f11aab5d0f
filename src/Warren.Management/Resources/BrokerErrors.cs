using Warren.Broker;
using Warren.Management.Http;

namespace Warren.Management.Resources;

/// <summary>Broker refusals as the management plugin answers them over HTTP.</summary>
internal static class BrokerErrors
{
    /// <summary>Runs a broker operation, turning its AMQP-style refusal into RabbitMQ's HTTP answer.</summary>
    public static T Run<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (BrokerException e)
        {
            throw Translate(e);
        }
    }

    public static void Run(Action operation) => Run(() =>
    {
        operation();
        return 0;
    });

    // RabbitMQ: access refused (reserved names) is 401 not_authorised; a missing object 404; the
    // rest (inequivalent arguments, in use, not empty, bad arguments) 400 with the AMQP text.
    public static ApiException Translate(BrokerException e) => e.Error switch
    {
        BrokerError.AccessRefused => ApiException.NotAuthorised(),
        BrokerError.NotFound => ApiException.NotFound(),
        _ => ApiException.BadRequest(e.Message),
    };
}
