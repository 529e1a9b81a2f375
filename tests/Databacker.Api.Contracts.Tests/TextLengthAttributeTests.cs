using Databacker.Api.Contracts.Validation;

namespace Databacker.Api.Contracts.Tests;

/// <summary><see cref="TextLengthAttribute"/>: lengths in code points, as JSON Schema counts them.</summary>
[TestFixture]
public sealed class TextLengthAttributeTests
{
    private const string Astral = "\U0001F4BE"; // one character, two UTF-16 units

    [TestCase(16, 0, 16, true, TestName = "Sixteen astral characters are within 16")]
    [TestCase(16, 0, 17, false, TestName = "Seventeen astral characters are beyond 16")]
    [TestCase(4, 2, 1, false, TestName = "One astral character is short of a minimum of 2 though it is two units")]
    [TestCase(4, 2, 2, true, TestName = "Two astral characters meet a minimum of 2")]
    public void Astral_characters_count_once(int maximum, int minimum, int count, bool valid)
    {
        var attribute = new TextLengthAttribute(maximum) { MinimumLength = minimum };

        Assert.That(attribute.IsValid(string.Concat(Enumerable.Repeat(Astral, count))), Is.EqualTo(valid));
    }

    [Test]
    public void Plain_text_and_null_behave_as_string_length_does()
    {
        var attribute = new TextLengthAttribute(3) { MinimumLength = 1 };

        Assert.Multiple(() =>
        {
            Assert.That(attribute.IsValid("abc"), Is.True);
            Assert.That(attribute.IsValid("abcd"), Is.False);
            Assert.That(attribute.IsValid(""), Is.False);
            Assert.That(attribute.IsValid(null), Is.True, "required is another attribute's business");
        });
    }

    [Test]
    public void The_generated_contract_uses_it_for_maxLength()
    {
        var property = typeof(Event).GetProperty(nameof(Event.Database))!;

        Assert.That(property.GetCustomAttributes(typeof(TextLengthAttribute), false), Has.Length.EqualTo(1));
    }
}
