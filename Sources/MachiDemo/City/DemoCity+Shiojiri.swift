/// The places of the model city: Shiojiri (塩尻市), Nagano. Coordinates are real-looking, not surveyed.
extension DemoCity {
    /// Water-level gauges along the Narai river (奈良井川), upstream to downstream, and the Tagawa (田川).
    public static let rivers: [RiverStation] = [
        RiverStation(
            id: "narai-01",
            name: "奈良井川 洗馬 (Narai River, Seba)",
            location: GeoPoint(longitude: 137.9335, latitude: 36.0745),
            normalHeight: 0.85,
            warningHeight: 2.0,
            peakHeight: 2.6,
            lag: 0,
            ratingCoefficient: 12
        ),
        RiverStation(
            id: "narai-02",
            name: "奈良井川 塩尻 (Narai River, Shiojiri)",
            location: GeoPoint(longitude: 137.9452, latitude: 36.1105),
            normalHeight: 1.10,
            warningHeight: 2.5,
            peakHeight: 3.2,
            lag: 45,
            ratingCoefficient: 18
        ),
        RiverStation(
            id: "narai-03",
            name: "奈良井川 広丘 (Narai River, Hirooka)",
            location: GeoPoint(longitude: 137.9405, latitude: 36.1440),
            normalHeight: 1.25,
            warningHeight: 2.8,
            peakHeight: 3.5,
            lag: 90,
            ratingCoefficient: 22
        ),
        RiverStation(
            id: "tagawa-01",
            name: "田川 大門 (Tagawa River, Daimon)",
            location: GeoPoint(longitude: 137.9640, latitude: 36.1190),
            normalHeight: 0.60,
            warningHeight: 1.6,
            peakHeight: 1.9,
            lag: 20,
            ratingCoefficient: 6
        ),
    ]

    /// Soil-moisture probes on slopes at risk of debris flows (土石流).
    public static let soilStations: [SoilStation] = [
        SoilStation(
            id: "soil-01",
            name: "片丘 斜面 (Kataoka slope)",
            location: GeoPoint(longitude: 137.9920, latitude: 36.1250),
            dryContent: 0.24,
            saturatedContent: 0.46
        ),
        SoilStation(
            id: "soil-02",
            name: "東山 斜面 (Higashiyama slope)",
            location: GeoPoint(longitude: 137.9990, latitude: 36.0950),
            dryContent: 0.22,
            saturatedContent: 0.44
        ),
        SoilStation(
            id: "soil-03",
            name: "洗馬 西山 斜面 (Seba west slope)",
            location: GeoPoint(longitude: 137.9150, latitude: 36.0800),
            dryContent: 0.26,
            saturatedContent: 0.48
        ),
    ]

    /// Wildlife traps in the hills round the city (the Shiojiri trap-sensor project).
    public static let traps: [AnimalTrap] = [
        AnimalTrap(
            id: "trap-01",
            name: "片丘 東山麓 (Kataoka)",
            location: GeoPoint(longitude: 137.9950, latitude: 36.1350),
            targetSpecies: "Sus scrofa"
        ),
        AnimalTrap(
            id: "trap-02",
            name: "北小野 (Kitaono)",
            location: GeoPoint(longitude: 138.0150, latitude: 36.0650),
            targetSpecies: "Sus scrofa"
        ),
        AnimalTrap(
            id: "trap-03",
            name: "宗賀 (Soga)",
            location: GeoPoint(longitude: 137.9100, latitude: 36.0900),
            targetSpecies: "Cervus nippon"
        ),
        AnimalTrap(
            id: "trap-04",
            name: "洗馬 (Seba)",
            location: GeoPoint(longitude: 137.9050, latitude: 36.0600),
            targetSpecies: "Sus scrofa"
        ),
        AnimalTrap(
            id: "trap-05",
            name: "高ボッチ 山麓 (Takabotchi foothills)",
            location: GeoPoint(longitude: 138.0300, latitude: 36.1200),
            targetSpecies: "Cervus nippon"
        ),
        AnimalTrap(
            id: "trap-06",
            name: "みどり湖 (Midoriko)",
            location: GeoPoint(longitude: 137.9800, latitude: 36.0850),
            targetSpecies: "Sus scrofa"
        ),
    ]

    /// Designated evacuation shelters (指定避難所).
    public static let shelters: [Shelter] = [
        Shelter(
            id: "shelter-01",
            name: "塩尻市総合文化センター (Shiojiri Cultural Centre)",
            streetAddress: "大門七番町4-3",
            location: GeoPoint(longitude: 137.9575, latitude: 36.1180),
            capacity: 400,
            peakFill: 0.55
        ),
        Shelter(
            id: "shelter-02",
            name: "広丘小学校 (Hirooka Elementary School)",
            streetAddress: "大字広丘郷原",
            location: GeoPoint(longitude: 137.9400, latitude: 36.1390),
            capacity: 600,
            peakFill: 0.7
        ),
        Shelter(
            id: "shelter-03",
            name: "塩尻東小学校 (Shiojiri-Higashi Elementary School)",
            streetAddress: "大字金井",
            location: GeoPoint(longitude: 137.9800, latitude: 36.1100),
            capacity: 350,
            peakFill: 0.4
        ),
        Shelter(
            id: "shelter-04",
            name: "洗馬小学校 (Seba Elementary School)",
            streetAddress: "大字洗馬",
            location: GeoPoint(longitude: 137.9320, latitude: 36.0730),
            capacity: 300,
            peakFill: 0.8,
            losesPowerAtPeak: true
        ),
    ]

    /// The monitored bridge: Naraigawa Bridge (奈良井川橋), crossing the river west to east.
    public static let bridgeEnds = (
        west: GeoPoint(longitude: 137.9438, latitude: 36.1100),
        east: GeoPoint(longitude: 137.9462, latitude: 36.1102)
    )

    /// Weather stations.
    public static let weatherStations: [(id: String, name: String, location: GeoPoint)] = [
        ("weather-01", "塩尻 気象観測所 (Shiojiri weather station)", GeoPoint(longitude: 137.9600, latitude: 36.1120))
    ]

    /// Air-quality stations; the first stands by the station square and sees more traffic.
    public static let airStations: [(id: String, name: String, location: GeoPoint)] = [
        ("air-01", "塩尻駅前 (Shiojiri station square)", GeoPoint(longitude: 137.9540, latitude: 36.1155)),
        ("air-02", "広丘 (Hirooka)", GeoPoint(longitude: 137.9420, latitude: 36.1430)),
    ]

    private static func stop(_ id: String, _ code: String, _ name: String, _ lon: Double, _ lat: Double) -> BusStop {
        BusStop(id: id, code: code, name: name, location: GeoPoint(longitude: lon, latitude: lat))
    }

    static let shiojiriStation = stop("shiojiri-station", "1001", "塩尻駅 (Shiojiri Station)", 137.9536, 36.1150)

    /// The two community bus routes (のりあいバス), both circular from Shiojiri Station.
    public static let routes: [BusRoute] = [
        BusRoute(
            id: "route-1",
            shortName: "1",
            name: "広丘線 (Hirooka line)",
            color: "E60012",
            waypoints: [
                .stop(shiojiriStation),
                .stop(stop("city-hall", "1002", "塩尻市役所 (City Hall)", 137.9565, 36.1178)),
                .via(137.9600, 36.1300),
                .stop(stop("yoshida", "1003", "吉田 (Yoshida)", 137.9560, 36.1520)),
                .via(137.9500, 36.1480),
                .stop(stop("hirooka-station", "1004", "広丘駅 (Hirooka Station)", 137.9436, 36.1432)),
                .via(137.9440, 36.1300),
            ]
        ),
        BusRoute(
            id: "route-2",
            shortName: "2",
            name: "洗馬線 (Seba line)",
            color: "0068B7",
            waypoints: [
                .stop(shiojiriStation),
                .stop(stop("kikyogahara", "2001", "桔梗ヶ原 (Kikyogahara)", 137.9420, 36.1020)),
                .stop(stop("soga", "2002", "宗賀 (Soga)", 137.9280, 36.0880)),
                .stop(stop("seba-station", "2003", "洗馬駅 (Seba Station)", 137.9270, 36.0700)),
                .via(137.9450, 36.0800),
                .stop(stop("shiojiri-juku", "2004", "塩尻宿 (Shiojiri-juku)", 137.9700, 36.1000)),
                .via(137.9620, 36.1100),
            ]
        ),
    ]

    /// Buses: two per route, half a round apart.
    public static let buses: [(id: String, route: Int, offset: Double, plate: String)] = [
        ("bus-1a", 0, 0.0, "松本 200 あ 11-01"),
        ("bus-1b", 0, 0.5, "松本 200 あ 11-02"),
        ("bus-2a", 1, 0.0, "松本 200 あ 12-01"),
        ("bus-2b", 1, 0.5, "松本 200 あ 12-02"),
    ]
}
