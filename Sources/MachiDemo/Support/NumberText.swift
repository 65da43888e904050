/// Decimal text of a number with a fixed number of fraction digits (`2.310` → `"2.31"` with 2 digits).
///
/// Used for UltraLight payloads and JSON measures so that a sensor reports a plausible resolution
/// (centimetres, not 17 significant digits).
public enum NumberText {
    /// `value` rounded to `decimals` fraction digits (0...9); trailing zeros are kept (`"35.20"`).
    public static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "0" }
        let decimals = max(0, min(9, decimals))
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * Double(scale)).rounded()
        guard scaled < 9e15 else { return String(value) }
        let total = Int64(scaled)
        let negative = value < 0 && total != 0
        let integer = total / scale
        var text = negative ? "-" : ""
        text += String(integer)
        if decimals > 0 {
            let fraction = String(total % scale)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return text
    }

    /// `value` rounded to `decimals` fraction digits, as a number.
    public static func rounded(_ value: Double, decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<max(0, min(9, decimals)) { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
