using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Databacker.Api.Client.Reporting;

/// <summary>
/// A durable, bounded, in-order outbox for reports that could not be delivered: a directory of append-only
/// segment files, each record written with its length and a checksum and flushed to disk before the append
/// returns. Delivery resumes where it stopped, also after the process was killed; a record is removed only
/// once the sender acknowledged it, so delivery is at least once (the controller deduplicates by event id and
/// by run and sequence number). A damaged or truncated tail, as a crash mid-write leaves, is detected and
/// skipped while every good record before it is kept; records appended afterwards never follow it (a newly opened
/// outbox starts a new segment, and a failed write is cut back). One process per directory.
/// </summary>
public sealed class FileOutbox
{
    private const string SegmentExtension = ".spool";
    private const string AckExtension = ".ack";
    private const int HeaderBytes = 8; // 4 bytes payload length, 4 bytes checksum

    private readonly FileOutboxOptions _options;
    // Appends and every change to the files (offsets, deletions) take _gate, briefly; a delivery pass holds _delivery
    // while it sends, so appends never wait for the network.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _delivery = new(1, 1);

    // The highest segment number seen (on disk at opening) or used since: a new segment never takes the name of one
    // deleted meanwhile, whose offset a running delivery pass may still be about to record. Guarded by _gate.
    private long _lastSegmentNumber;

    // The offset each segment was delivered up to, as this instance recorded it (a segment it has not delivered from
    // counts as undelivered): appends judge the room by it without reading every offset file. Guarded by _gate.
    private readonly Dictionary<string, long> _delivered = new(StringComparer.Ordinal);

    // Whether the next record goes to a new segment rather than after the last one: at first, since a previous process
    // may have left a damaged tail there (records after it would be skipped with it), and after a write that failed
    // and could not be cut back. Guarded by _gate.
    private bool _startNewSegment = true;

    /// <summary>Opens (or creates) the outbox.</summary>
    /// <param name="options">Where and how much to spool.</param>
    public FileOutbox(FileOutboxOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            throw new ArgumentException("The outbox needs a directory.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.SegmentBytes, 1024, nameof(options.SegmentBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBytes, options.SegmentBytes, nameof(options.MaxBytes));
        System.IO.Directory.CreateDirectory(options.Directory);
        _lastSegmentNumber = Segments().Select(NumberOf).DefaultIfEmpty(0).Max();
        RemoveLeftovers();
    }

    /// <summary>The largest payload a record of <paramref name="kind"/> may carry: what one segment holds besides the record's header and kind.</summary>
    internal long LargestPayload(string kind) => _options.SegmentBytes - HeaderBytes - 1 - Encoding.UTF8.GetByteCount(kind);

    /// <summary>Whether any record waits for delivery.</summary>
    public bool IsEmpty => Segments().Count == 0;

    /// <summary>The bytes spooled on disk.</summary>
    public long SizeBytes => Segments().Sum(s => new FileInfo(s).Length);

    /// <summary>Appends a record and flushes it to disk before returning.</summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Stops waiting for the outbox.</param>
    /// <returns>A task that completes once the record is durable.</returns>
    /// <exception cref="OutboxFullException">The outbox is full and its policy rejects new records.</exception>
    public async Task AppendAsync(OutboxRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var payload = Encode(record);
        var size = HeaderBytes + payload.Length;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();

            // One directory listing per append: the sizes decide both the room and the segment to write to.
            var segments = Segments().Select(path => (Path: path, Length: new FileInfo(path).Length)).ToList();
            MakeRoom(segments, size);
            var path = !_startNewSegment && segments.Count > 0 && segments[^1].Length + size <= _options.SegmentBytes
                ? segments[^1].Path
                : NewSegmentPath(segments.Select(s => s.Path).ToList());
            var frame = new byte[size];
            BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Checksum(payload));
            payload.CopyTo(frame, HeaderBytes);
            await WriteFrameAsync(path, frame).ConfigureAwait(false);
            _startNewSegment = false;
        }
        finally
        {
            _gate.Release();
        }
    }

    // One write of the whole record, not cancellable half-way; if it fails, the file is cut back to where it was, so
    // no partial record stays for later records to follow. If even that fails, the next record starts a new segment.
    private async Task WriteFrameAsync(string path, byte[] frame)
    {
        await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        var before = stream.Length;
        try
        {
            await stream.WriteAsync(frame, CancellationToken.None).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            try
            {
                stream.SetLength(before);
                stream.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                _startNewSegment = true;
            }

            throw;
        }
    }

    /// <summary>
    /// Sends spooled records oldest first until the outbox is empty or the sender fails; a failure leaves the
    /// record (and everything after it) for the next pass, so the order is kept.
    /// </summary>
    /// <param name="send">Sends one record; throwing means "not delivered".</param>
    /// <param name="cancellationToken">Stops delivery.</param>
    /// <returns>What the pass did.</returns>
    public Task<OutboxDeliveryResult> DeliverAsync(Func<OutboxRecord, CancellationToken, Task> send, CancellationToken cancellationToken = default) =>
        DeliverSomeAsync(send, int.MaxValue, cancellationToken);

    /// <summary>
    /// Sends at most <paramref name="maxRecords"/> spooled records, oldest first, as <see cref="DeliverAsync"/> does; what
    /// is left waits for the next pass (<see cref="OutboxDeliveryResult.Remaining"/>, with fewer than
    /// <paramref name="maxRecords"/> delivered only when a send failed). One pass runs at a time (a second one waits for
    /// it); appends do not wait for a pass's sends, and a record appended while a pass runs is delivered by it or by a
    /// later one.
    /// </summary>
    /// <param name="send">Sends one record; throwing means "not delivered".</param>
    /// <param name="maxRecords">The most records this pass sends; at least 1.</param>
    /// <param name="cancellationToken">Stops delivery.</param>
    /// <returns>What the pass did.</returns>
    public async Task<OutboxDeliveryResult> DeliverSomeAsync(Func<OutboxRecord, CancellationToken, Task> send, int maxRecords, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        await _delivery.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await PassAsync(send, maxRecords, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="DeliverSomeAsync"/>, unless a pass is running already: then nothing is done and <see langword="null"/>
    /// is returned at once (the running pass, or a later one, delivers what waits).
    /// </summary>
    internal async Task<OutboxDeliveryResult?> TryDeliverSomeAsync(Func<OutboxRecord, CancellationToken, Task> send, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        return _delivery.Wait(0) ? await PassAsync(send, maxRecords, cancellationToken).ConfigureAwait(false) : null;
    }

    // One delivery pass; the caller holds _delivery, released here. The files are read and sent without _gate, so
    // appends go on meanwhile; _gate is taken only briefly: to list the segments, to read where a segment ends and its
    // offset, to record an offset and to delete a delivered segment (only if nothing was appended to it since it was
    // read). Segments created while the pass runs are listed again and delivered by it too.
    private async Task<OutboxDeliveryResult> PassAsync(Func<OutboxRecord, CancellationToken, Task> send, int maxRecords, CancellationToken cancellationToken)
    {
        try
        {
            var delivered = 0;
            long skipped = 0;
            var last = string.Empty; // segment names are fixed-width numbers: ordinal order is their order
            while (true)
            {
                var after = last;
                var segments = await LockedAsync(() => Segments().Where(s => string.CompareOrdinal(s, after) > 0).ToList()).ConfigureAwait(false);
                if (segments.Count == 0)
                {
                    return new OutboxDeliveryResult(delivered, Remaining: false, skipped);
                }

                foreach (var segment in segments)
                {
                    last = segment;

                    // Where the segment ends now: every record before this point is whole (appends write under _gate).
                    var (offset, end) = await LockedAsync(() =>
                    {
                        if (!File.Exists(segment))
                        {
                            return (0L, -1L);
                        }

                        var recorded = ReadAck(segment); // also one a previous process left
                        _delivered[segment] = recorded;
                        return (recorded, new FileInfo(segment).Length);
                    }).ConfigureAwait(false);
                    while (end >= 0)
                    {
                        // Only what was not delivered yet: a segment that grows while it is delivered is not read again from its start.
                        var from = Math.Min(offset, end);
                        var data = await ReadRangeAsync(segment, from, end, cancellationToken).ConfigureAwait(false);
                        if (data is null)
                        {
                            break; // dropped by an append making room (DropOldest)
                        }

                        var position = offset - from;
                        while (position < data.Length)
                        {
                            if (delivered == maxRecords)
                            {
                                await AckAsync(segment, from + position).ConfigureAwait(false);
                                return new OutboxDeliveryResult(delivered, Remaining: true, skipped);
                            }

                            if (!TryDecode(data, position, out var record, out var length))
                            {
                                // A damaged or truncated record: nothing after it in this segment can be trusted.
                                skipped += data.Length - position;
                                position = data.Length;
                                break;
                            }

                            try
                            {
                                await send(record!, cancellationToken).ConfigureAwait(false);
                            }
                            catch (Exception) when (!cancellationToken.IsCancellationRequested)
                            {
                                await AckAsync(segment, from + position).ConfigureAwait(false);
                                return new OutboxDeliveryResult(delivered, Remaining: true, skipped);
                            }

                            position += length;
                            delivered++;
                            await AckAsync(segment, from + position).ConfigureAwait(false);
                        }

                        offset = Math.Max(offset, from + position);

                        // Delivered up to where it ended when read: deleted unless records were appended to it meanwhile,
                        // which are then read and delivered from the offset on.
                        var read = end;
                        end = await LockedAsync(() =>
                        {
                            if (!File.Exists(segment))
                            {
                                return -1L;
                            }

                            var now = new FileInfo(segment).Length;
                            if (now > read)
                            {
                                return now;
                            }

                            // The offset first: a crash between the two leaves a segment delivered again (at least once),
                            // never an offset that a later segment of the same name would take for its own.
                            File.Delete(segment + AckExtension);
                            File.Delete(segment);
                            _delivered.Remove(segment);
                            return -1L;
                        }).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            _delivery.Release();
        }
    }

    // A short step under _gate: never cancelled half-way, so an offset is recorded even when the pass is being cancelled.
    private async Task<T> LockedAsync<T>(Func<T> step)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            return step();
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task AckAsync(string segment, long offset) => LockedAsync(() =>
    {
        // A segment an append dropped to make room gets no offset: it would outlive it.
        if (File.Exists(segment))
        {
            WriteAck(segment, offset);
            _delivered[segment] = offset;
        }

        return true;
    });

    // The bytes [from, to) of a segment (appends may be writing after them), or null when it no longer exists.
    private static async Task<byte[]?> ReadRangeAsync(string path, long from, long to, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
            stream.Position = from;
            var data = new byte[to - from];
            await stream.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
            return data;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private void MakeRoom(List<(string Path, long Length)> segments, long size)
    {
        if (size > _options.SegmentBytes)
        {
            throw new OutboxFullException($"A record of {size} bytes is larger than an outbox segment ({_options.SegmentBytes} bytes).");
        }

        // Bytes already delivered from a segment (up to its offset) are not counted: a delivery pass deletes it soon.
        var total = segments.Sum(s => s.Length - Math.Min(s.Length, _delivered.GetValueOrDefault(s.Path)));
        while (total + size > _options.MaxBytes)
        {
            if (_options.WhenFull == OutboxFullPolicy.Reject || segments.Count == 0)
            {
                throw new OutboxFullException($"The outbox in '{_options.Directory}' holds {total} of {_options.MaxBytes} bytes; the report was not spooled.");
            }

            total -= segments[0].Length - Math.Min(segments[0].Length, _delivered.GetValueOrDefault(segments[0].Path));
            _delivered.Remove(segments[0].Path);
            File.Delete(segments[0].Path + AckExtension);
            File.Delete(segments[0].Path);
            segments.RemoveAt(0);
        }
    }

    // What a crash can leave besides segments: an offset written beside its file but not yet renamed over it, and the
    // offset of a segment deleted just before it (the offset is deleted first, so only a crash between the two).
    private void RemoveLeftovers()
    {
        foreach (var temporary in System.IO.Directory.GetFiles(_options.Directory, "*" + AckExtension + ".tmp"))
        {
            File.Delete(temporary);
        }

        foreach (var ack in System.IO.Directory.GetFiles(_options.Directory, "*" + SegmentExtension + AckExtension))
        {
            if (!File.Exists(ack[..^AckExtension.Length]))
            {
                File.Delete(ack);
            }
        }
    }

    // Only files named as this outbox names its segments (12 digits): anything else in the directory (a file manager's
    // "(copy)", an editor's backup) is left alone, not read and not a reason to fail.
    private List<string> Segments() => System.IO.Directory.GetFiles(_options.Directory, "*" + SegmentExtension)
        .Where(IsSegmentName).Order(StringComparer.Ordinal).ToList();

    private static bool IsSegmentName(string path) =>
        Path.GetFileNameWithoutExtension(path) is { Length: 12 } name && name.All(char.IsAsciiDigit);

    private string NewSegmentPath(List<string> segments)
    {
        var highest = segments.Count == 0 ? 0 : NumberOf(segments[^1]);
        var next = Math.Max(highest, _lastSegmentNumber) + 1;
        _lastSegmentNumber = next;
        var path = Path.Combine(_options.Directory, next.ToString("D12", CultureInfo.InvariantCulture) + SegmentExtension);

        // An offset left by an earlier segment of the same name (a crash between deleting the two) is not this one's.
        File.Delete(path + AckExtension);
        return path;
    }

    private static long NumberOf(string segment) => long.Parse(Path.GetFileNameWithoutExtension(segment), CultureInfo.InvariantCulture);

    // An offset that cannot be one of this segment's (negative, or beyond its end: damaged on disk) is taken as none, so
    // the segment is delivered again from its start (the controller deduplicates) rather than wedged or dropped.
    private static long ReadAck(string segment)
        => File.Exists(segment + AckExtension)
            && long.TryParse(File.ReadAllText(segment + AckExtension), CultureInfo.InvariantCulture, out var offset)
            && offset >= 0 && offset <= new FileInfo(segment).Length
                ? offset
                : 0;

    private static void WriteAck(string segment, long offset)
    {
        // Written beside and renamed over, so a crash leaves the old or the new offset, never half of one.
        var temporary = segment + AckExtension + ".tmp";
        File.WriteAllText(temporary, offset.ToString(CultureInfo.InvariantCulture));
        File.Move(temporary, segment + AckExtension, overwrite: true);
    }

    private static byte[] Encode(OutboxRecord record)
    {
        var kind = Encoding.UTF8.GetBytes(record.Kind);
        if (kind.Length is 0 or > 255)
        {
            throw new ArgumentException("A record kind is 1 to 255 bytes.", nameof(record));
        }

        var payload = new byte[1 + kind.Length + record.Payload.Length];
        payload[0] = (byte)kind.Length;
        kind.CopyTo(payload, 1);
        record.Payload.CopyTo(payload, 1 + kind.Length);
        return payload;
    }

    private static bool TryDecode(byte[] data, long offset, out OutboxRecord? record, out long length)
    {
        record = null;
        length = 0;
        if (data.Length - offset < HeaderBytes)
        {
            return false;
        }

        var span = data.AsSpan((int)offset);
        var payloadLength = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (payloadLength < 2 || payloadLength > data.Length - offset - HeaderBytes)
        {
            return false;
        }

        var payload = span.Slice(HeaderBytes, payloadLength);
        if (Checksum(payload) != BinaryPrimitives.ReadUInt32LittleEndian(span[4..]))
        {
            return false;
        }

        var kindLength = payload[0];
        if (kindLength == 0 || kindLength >= payload.Length)
        {
            return false;
        }

        record = new OutboxRecord(Encoding.UTF8.GetString(payload.Slice(1, kindLength)), payload[(1 + kindLength)..].ToArray());
        length = HeaderBytes + payloadLength;
        return true;
    }

    private static uint Checksum(ReadOnlySpan<byte> payload)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(payload, hash);
        return BinaryPrimitives.ReadUInt32LittleEndian(hash);
    }
}
