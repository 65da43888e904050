/// Japan Standard Time helpers for diurnal cycles (JST is UTC+9 all year).
enum LocalTime {
    /// The hour of day in JST, fractional (`13.5` is 13:30), for seconds since 1970.
    static func hourOfDay(epochSeconds: Double) -> Double {
        let local = (epochSeconds + 9 * 3600).truncatingRemainder(dividingBy: 86_400)
        return (local < 0 ? local + 86_400 : local) / 3600
    }
}
