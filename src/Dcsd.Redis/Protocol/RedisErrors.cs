using System.Globalization;

namespace Dcsd.Redis.Protocol;

/// <summary>
/// The messages of <see cref="RedisFailureException"/> that every engine shares, built in one place so that the same
/// failure reads the same wherever it happens: host:port, the command, the time waited, the server's reply — never a
/// password, a path or another exception's text (the inner exception keeps that for the log).
/// </summary>
internal static class RedisErrors
{
    /// <summary>A connect that failed; the inner exception is the socket's own when there is one.</summary>
    public static RedisFailureException ConnectFailed(string endPoint, bool timedOut, TimeSpan timeout, Exception failure) => timedOut
        ? new(RedisFailureKind.Timeout, $"{endPoint} did not accept a connection within {Duration(timeout)}", failure.InnerException ?? failure)
        : new(RedisFailureKind.Unreachable, $"cannot connect to {endPoint}: {Reason(failure)}", failure.InnerException ?? failure);

    public static RedisFailureException NoAnswer(string endPoint, string command, TimeSpan timeout, Exception? inner = null) =>
        new(RedisFailureKind.Timeout, $"{endPoint} accepted the connection but did not answer {command} within {Duration(timeout)}", inner ?? new TimeoutException());

    public static RedisFailureException NotTaking(string endPoint, int bytes, TimeSpan timeout, Exception inner) =>
        new(RedisFailureKind.Timeout, $"{endPoint} did not take {bytes} bytes of commands within {Duration(timeout)}", inner);

    public static RedisFailureException ConnectionLost(string endPoint, Exception inner) => new(
        RedisFailureKind.ConnectionLost,
        inner is EndOfStreamException ? $"{endPoint} closed the connection" : $"connection to {endPoint} lost: {Reason(inner)}",
        inner);

    /// <summary>An error reply; NOAUTH/WRONGPASS (and a refused AUTH) are <see cref="RedisFailureKind.AuthenticationFailed"/>.</summary>
    public static RedisFailureException Rejected(string endPoint, string what, string? reply)
    {
        bool auth = what == "AUTH" || (reply is not null && (reply.StartsWith("NOAUTH", StringComparison.Ordinal) || reply.StartsWith("WRONGPASS", StringComparison.Ordinal)));
        return new RedisFailureException(auth ? RedisFailureKind.AuthenticationFailed : RedisFailureKind.Refused, $"{endPoint} rejected {what}: {reply}");
    }

    /// <summary>"5 s", "250 ms", "2 min": how long was waited, as a person reads it.</summary>
    public static string Duration(TimeSpan duration) =>
        duration == Timeout.InfiniteTimeSpan ? "ever"
        : duration.TotalSeconds < 1 ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0} ms")
        : duration.TotalMinutes < 2 ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.#} s")
        : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.#} min");

    /// <summary>The socket's error code, the one part of a socket exception that is meant for users.</summary>
    private static string Reason(Exception ex) => ex switch
    {
        System.Net.Sockets.SocketException socket => socket.SocketErrorCode.ToString(),
        { InnerException: { } inner } => Reason(inner),
        _ => "connection failed",
    };
}
