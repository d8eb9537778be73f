"""A corpus of realistic hobby designs, written the way a user (or a specialist) writes them.

Seven clean projects (Uno line follower, Uno weather station, ESP32 weather station, Nano relay
timer, Pico servo dial, Uno parking sensor, ESP32 robot) and, derived from them, designs with one
typical bench mistake each. ``seeded`` is the rule code a checker should report for the mistake.
The unit test and the benchmark both read this module.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Artifact = dict[str, Any]


@dataclass(frozen=True)
class CorpusDesign:
    name: str
    bom: Artifact
    code: Artifact | None
    wiring: Artifact
    seeded: str | None = None


def _bom(project: str, *parts: tuple[str, str] | tuple[str, str, str]) -> Artifact:
    lines = []
    for part in parts:
        line: dict[str, Any] = {"designator": part[0], "name": part[1], "quantity": 1}
        if len(part) == 3:
            line["value"] = part[2]
        lines.append(line)
    return {"projectName": project, "parts": lines}


def _wires(*pairs: str) -> Artifact:
    connections = []
    for pair in pairs:
        start, end = (p.strip() for p in pair.split("->"))
        connections.append({"from": start, "to": end})
    return {"connections": connections}


def _code(board: str, body: str) -> Artifact:
    return {"board": board, "files": [{"path": "sketch.ino", "content": body.strip() + "\n"}]}


LINE_FOLLOWER = CorpusDesign(
    "uno line follower",
    _bom("Line follower", ("U1", "Arduino Uno R3"), ("U2", "L298N Motor Driver Module"),
         ("U3", "TCRT5000 IR line sensor module"), ("U4", "TCRT5000 IR line sensor module"),
         ("M1", "TT gear motor"), ("M2", "TT gear motor"), ("BT1", "2x18650 battery holder"),
         ("D1", "Green LED"), ("R1", "Resistor", "220Ω")),
    _code("arduino:avr:uno", """
const int ENA = 5;
const int IN1 = 7;
const int IN2 = 8;
const int ENB = 6;
const int IN3 = 9;
const int IN4 = 10;
const int LEFT_SENSOR = 2;
const int RIGHT_SENSOR = 3;
const int STATUS_LED = 12;

void setup() {
  pinMode(ENA, OUTPUT); pinMode(IN1, OUTPUT); pinMode(IN2, OUTPUT);
  pinMode(ENB, OUTPUT); pinMode(IN3, OUTPUT); pinMode(IN4, OUTPUT);
  pinMode(LEFT_SENSOR, INPUT); pinMode(RIGHT_SENSOR, INPUT);
  pinMode(STATUS_LED, OUTPUT);
}

void loop() {
  bool left = digitalRead(LEFT_SENSOR);
  bool right = digitalRead(RIGHT_SENSOR);
  analogWrite(ENA, left ? 90 : 160);
  analogWrite(ENB, right ? 90 : 160);
  digitalWrite(IN1, HIGH); digitalWrite(IN2, LOW);
  digitalWrite(IN3, HIGH); digitalWrite(IN4, LOW);
  digitalWrite(STATUS_LED, left && right);
}
"""),
    _wires("BT1.+ -> U2.12V", "BT1.- -> U2.GND", "U2.GND -> U1.GND", "U2.5V -> U1.VIN",
           "U1.D5 -> U2.ENA", "U1.D7 -> U2.IN1", "U1.D8 -> U2.IN2", "U1.D6 -> U2.ENB", "U1.D9 -> U2.IN3",
           "U1.D10 -> U2.IN4", "U2.OUT1 -> M1.+", "U2.OUT2 -> M1.-", "U2.OUT3 -> M2.+", "U2.OUT4 -> M2.-",
           "U1.5V -> U3.VCC", "U1.GND -> U3.GND", "U3.DO -> U1.D2", "U1.5V -> U4.VCC", "U1.GND -> U4.GND",
           "U4.DO -> U1.D3", "U1.D12 -> R1.1", "R1.2 -> D1.A", "D1.K -> U1.GND"),
)

WEATHER_UNO = CorpusDesign(
    "uno weather station",
    _bom("Weather station", ("U1", "Arduino Uno"), ("U2", "BME280 sensor module"),
         ("U3", "0.96 inch OLED display 128x64 SSD1306"), ("U4", "DHT22"), ("R1", "Resistor", "10k"),
         ("D1", "Red LED"), ("R2", "Resistor", "330")),
    _code("arduino:avr:uno", """
#include <Wire.h>
#include <Adafruit_BME280.h>
#include <Adafruit_SSD1306.h>
#include <DHT.h>
#define DHTPIN 4
#define ALERT_LED 8
DHT dht(DHTPIN, DHT22);
Adafruit_BME280 bme;
Adafruit_SSD1306 display(128, 64, &Wire, -1);
void setup() {
  Wire.begin();
  bme.begin(0x76);
  display.begin(SSD1306_SWITCHCAPVCC, 0x3C);
  dht.begin();
  pinMode(ALERT_LED, OUTPUT);
}
void loop() {
  float t = bme.readTemperature();
  float h = dht.readHumidity();
  digitalWrite(ALERT_LED, t > 30.0);
  delay(2000);
}
"""),
    _wires("U1.5V -> U2.VIN", "U1.GND -> U2.GND", "U2.SDA -> U1.A4", "U2.SCL -> U1.A5",
           "U1.5V -> U3.VCC", "U1.GND -> U3.GND", "U3.SDA -> U1.A4", "U3.SCL -> U1.A5",
           "U1.5V -> U4.VCC", "U4.DATA -> U1.D4", "U4.GND -> U1.GND", "R1.1 -> U4.DATA", "R1.2 -> U1.5V",
           "U1.D8 -> R2.1", "R2.2 -> D1.A", "D1.K -> U1.GND"),
)

WEATHER_ESP32 = CorpusDesign(
    "esp32 weather station",
    _bom("ESP32 weather", ("U1", "ESP32 DevKit V1"), ("U2", "BME280 breakout"), ("U3", "SSD1306 OLED"),
         ("SW1", "Tactile push button"), ("D1", "Blue LED"), ("R1", "Resistor", "330R")),
    _code("esp32:esp32:esp32", """
#include <Wire.h>
#include <Adafruit_BME280.h>
const int BUTTON_PIN = 4;
const int LED_PIN = 2;
Adafruit_BME280 bme;
void setup() {
  Wire.begin(21, 22);
  bme.begin(0x77);
  pinMode(BUTTON_PIN, INPUT_PULLUP);
  pinMode(LED_PIN, OUTPUT);
}
void loop() {
  if (digitalRead(BUTTON_PIN) == LOW) digitalWrite(LED_PIN, HIGH);
  int light = analogRead(34);
}
"""),
    _wires("U1.3V3 -> U2.VIN", "U1.GND -> U2.GND", "U2.SDA -> U1.GPIO21", "U2.SCL -> U1.GPIO22",
           "U1.3V3 -> U3.VCC", "U1.GND -> U3.GND", "U3.SDA -> U1.GPIO21", "U3.SCL -> U1.GPIO22",
           "U1.GPIO4 -> SW1.1", "SW1.2 -> U1.GND", "U1.GPIO2 -> R1.1", "R1.2 -> D1.A", "D1.K -> U1.GND",
           "U1.3V3 -> R2.1", "R2.2 -> U1.GPIO34", "U1.GPIO34 -> R3.1", "R3.2 -> U1.GND"),
)
WEATHER_ESP32.bom["parts"] += [{"designator": "R2", "name": "Photoresistor GL5528", "quantity": 1},
                               {"designator": "R3", "name": "Resistor", "value": "10k", "quantity": 1}]

RELAY_NANO = CorpusDesign(
    "nano relay timer",
    _bom("Relay timer", ("U1", "Arduino Nano"), ("K1", "5V relay module"), ("SW1", "Push button"),
         ("RV1", "10k potentiometer"), ("U2", "16x2 I2C LCD")),
    _code("arduino:avr:nano", """
#include <Wire.h>
#include <LiquidCrystal_I2C.h>
#define RELAY 7
#define START 2
#define KNOB A0
LiquidCrystal_I2C lcd(0x27, 16, 2);
void setup() {
  lcd.init();
  pinMode(RELAY, OUTPUT);
  pinMode(START, INPUT_PULLUP);
}
void loop() {
  int minutes = map(analogRead(KNOB), 0, 1023, 1, 60);
  if (digitalRead(START) == LOW) digitalWrite(RELAY, HIGH);
}
"""),
    _wires("U1.5V -> K1.VCC", "U1.GND -> K1.GND", "U1.D7 -> K1.IN", "U1.D2 -> SW1.1", "SW1.2 -> U1.GND",
           "U1.5V -> RV1.1", "RV1.2 -> U1.A0", "RV1.3 -> U1.GND", "U1.5V -> U2.VCC", "U1.GND -> U2.GND",
           "U2.SDA -> U1.A4", "U2.SCL -> U1.A5"),
)

SERVO_PICO = CorpusDesign(
    "pico servo dial",
    _bom("Servo dial", ("U1", "Raspberry Pi Pico"), ("M1", "SG90 micro servo"), ("RV1", "Potentiometer 10k")),
    _code("rp2040:rp2040:rpipico", """
#include <Servo.h>
Servo dial;
void setup() {
  dial.attach(15);
}
void loop() {
  int raw = analogRead(26);
  dial.write(map(raw, 0, 1023, 0, 180));
}
"""),
    _wires("U1.VBUS -> M1.VCC", "U1.GND -> M1.GND", "U1.GP15 -> M1.SIGNAL", "U1.3V3 -> RV1.1",
           "RV1.2 -> U1.GP26", "RV1.3 -> U1.GND"),
)

PARKING_UNO = CorpusDesign(
    "uno parking sensor",
    _bom("Parking sensor", ("U1", "Arduino Uno R3"), ("U2", "HC-SR04 ultrasonic sensor"), ("BZ1", "Active buzzer"),
         ("D1", "Green LED"), ("D2", "Yellow LED"), ("D3", "Red LED"), ("R1-R3", "Resistor", "220"),
         ("SW1", "Push button")),
    _code("arduino:avr:uno", """
const int TRIG = 9;
const int ECHO = 10;
const int BUZZER = 6;
const int LEDS[] = {3, 4, 5};
const int MUTE = 2;
volatile bool muted = false;
void onMute() { muted = !muted; }
void setup() {
  pinMode(TRIG, OUTPUT);
  pinMode(ECHO, INPUT);
  pinMode(BUZZER, OUTPUT);
  pinMode(3, OUTPUT); pinMode(4, OUTPUT); pinMode(5, OUTPUT);
  pinMode(MUTE, INPUT_PULLUP);
  attachInterrupt(digitalPinToInterrupt(MUTE), onMute, FALLING);
}
void loop() {
  digitalWrite(TRIG, HIGH); delayMicroseconds(10); digitalWrite(TRIG, LOW);
  long cm = pulseIn(ECHO, HIGH) / 58;
  digitalWrite(3, cm > 50); digitalWrite(4, cm <= 50 && cm > 20); digitalWrite(5, cm <= 20);
  if (!muted) tone(BUZZER, 2000, 50);
}
"""),
    _wires("U1.5V -> U2.VCC", "U1.GND -> U2.GND", "U1.D9 -> U2.TRIG", "U2.ECHO -> U1.D10", "U1.D6 -> BZ1.+",
           "BZ1.- -> U1.GND", "U1.D3 -> R1.1", "R1.2 -> D1.A", "D1.K -> U1.GND", "U1.D4 -> R2.1", "R2.2 -> D2.A",
           "D2.K -> U1.GND", "U1.D5 -> R3.1", "R3.2 -> D3.A", "D3.K -> U1.GND", "U1.D2 -> SW1.1",
           "SW1.2 -> U1.GND"),
)

ROBOT_ESP32 = CorpusDesign(
    "esp32 robot",
    _bom("ESP32 robot", ("U1", "ESP32 DevKitC"), ("U2", "TB6612FNG motor driver"), ("M1", "N20 gear motor"),
         ("M2", "N20 gear motor"), ("BT1", "7.4V LiPo battery"), ("U3", "HC-SR04"), ("R1", "Resistor", "1k"),
         ("R2", "Resistor", "2k")),
    _code("esp32:esp32:esp32", """
#define PWMA 25
#define AIN1 26
#define AIN2 27
#define PWMB 14
#define BIN1 12
#define BIN2 13
#define STBY 33
#define TRIG 5
#define ECHO 18
void setup() {
  int pins[] = {PWMA, AIN1, AIN2, PWMB, BIN1, BIN2, STBY};
  pinMode(PWMA, OUTPUT); pinMode(AIN1, OUTPUT); pinMode(AIN2, OUTPUT);
  pinMode(PWMB, OUTPUT); pinMode(BIN1, OUTPUT); pinMode(BIN2, OUTPUT); pinMode(STBY, OUTPUT);
  pinMode(TRIG, OUTPUT); pinMode(ECHO, INPUT);
  digitalWrite(STBY, HIGH);
}
void loop() {
  analogWrite(PWMA, 180); analogWrite(PWMB, 180);
  digitalWrite(AIN1, HIGH); digitalWrite(AIN2, LOW); digitalWrite(BIN1, HIGH); digitalWrite(BIN2, LOW);
  digitalWrite(TRIG, HIGH); delayMicroseconds(10); digitalWrite(TRIG, LOW);
  long echo = pulseIn(ECHO, HIGH);
}
"""),
    _wires("BT1.+ -> U2.VM", "BT1.- -> U2.GND", "U2.GND -> U1.GND", "U1.3V3 -> U2.VCC",
           "U1.GPIO25 -> U2.PWMA", "U1.GPIO26 -> U2.AIN1", "U1.GPIO27 -> U2.AIN2", "U1.GPIO14 -> U2.PWMB",
           "U1.GPIO12 -> U2.BIN1", "U1.GPIO13 -> U2.BIN2", "U1.GPIO33 -> U2.STBY", "U2.AO1 -> M1.+",
           "U2.AO2 -> M1.-", "U2.BO1 -> M2.+", "U2.BO2 -> M2.-", "U1.5V -> U3.VCC", "U3.GND -> U1.GND",
           "U1.GPIO5 -> U3.TRIG", "U3.ECHO -> R1.1", "R1.2 -> U1.GPIO18", "U1.GPIO18 -> R2.1", "R2.2 -> U1.GND"),
)

CLEAN = (LINE_FOLLOWER, WEATHER_UNO, WEATHER_ESP32, RELAY_NANO, SERVO_PICO, PARKING_UNO, ROBOT_ESP32)


def _variant(base: CorpusDesign, name: str, seeded: str, change: Callable[[Artifact, Artifact | None, Artifact], None]
             ) -> CorpusDesign:
    bom, code, wiring = copy.deepcopy(base.bom), copy.deepcopy(base.code), copy.deepcopy(base.wiring)
    change(bom, code, wiring)
    return CorpusDesign(f"{base.name}: {name}", bom, code, wiring, seeded)


def _rewire(old: str, new: str) -> Callable[[Artifact, Artifact | None, Artifact], None]:
    def change(_bom: Artifact, _code: Artifact | None, wiring: Artifact) -> None:
        start, end = (p.strip() for p in old.split("->"))
        for connection in wiring["connections"]:
            if connection["from"] == start and connection["to"] == end:
                a, b = (p.strip() for p in new.split("->"))
                connection["from"], connection["to"] = a, b
                return
        raise AssertionError(f"no wire {old}")
    return change


def _add(*pairs: str) -> Callable[[Artifact, Artifact | None, Artifact], None]:
    def change(_bom: Artifact, _code: Artifact | None, wiring: Artifact) -> None:
        for pair in pairs:
            a, b = (p.strip() for p in pair.split("->"))
            wiring["connections"].append({"from": a, "to": b})
    return change


def _drop(pair: str) -> Callable[[Artifact, Artifact | None, Artifact], None]:
    def change(_bom: Artifact, _code: Artifact | None, wiring: Artifact) -> None:
        a, b = (p.strip() for p in pair.split("->"))
        before = len(wiring["connections"])
        wiring["connections"] = [c for c in wiring["connections"] if (c["from"], c["to"]) != (a, b)]
        assert len(wiring["connections"]) == before - 1, pair
    return change


def _sketch(old: str, new: str) -> Callable[[Artifact, Artifact | None, Artifact], None]:
    def change(_bom: Artifact, code: Artifact | None, _wiring: Artifact) -> None:
        assert code is not None and old in code["files"][0]["content"], old
        code["files"][0]["content"] = code["files"][0]["content"].replace(old, new)
    return change


def _part(designator: str, name: str) -> Callable[[Artifact, Artifact | None, Artifact], None]:
    def change(bom: Artifact, _code: Artifact | None, _wiring: Artifact) -> None:
        for line in bom["parts"]:
            if line["designator"] == designator:
                line["name"] = name
                return
        bom["parts"].append({"designator": designator, "name": name, "quantity": 1})
    return change


def _both(*changes: Callable[[Artifact, Artifact | None, Artifact], None]
          ) -> Callable[[Artifact, Artifact | None, Artifact], None]:
    def change(bom: Artifact, code: Artifact | None, wiring: Artifact) -> None:
        for step in changes:
            step(bom, code, wiring)
    return change


SEEDED = (
    _variant(LINE_FOLLOWER, "LED straight on the pin", "led-no-resistor",
             _both(_drop("U1.D12 -> R1.1"), _rewire("R1.2 -> D1.A", "U1.D12 -> D1.A"))),
    _variant(LINE_FOLLOWER, "motor on an I/O pin", "inductive-on-pin", _rewire("U2.OUT1 -> M1.+", "U1.D11 -> M1.+")),
    _variant(LINE_FOLLOWER, "driver ground not joined", "no-common-ground", _drop("U2.GND -> U1.GND")),
    _variant(LINE_FOLLOWER, "ENA on a pin without PWM", "no-pwm",
             _both(_sketch("const int ENA = 5;", "const int ENA = 4;"), _rewire("U1.D5 -> U2.ENA", "U1.D4 -> U2.ENA"))),
    _variant(LINE_FOLLOWER, "5V shorted to GND", "power-short", _add("U1.5V -> U1.GND")),
    _variant(LINE_FOLLOWER, "both sensor outputs on one pin", "output-conflict",
             _rewire("U4.DO -> U1.D3", "U4.DO -> U1.D2")),
    _variant(LINE_FOLLOWER, "a pin the Uno does not have", "unknown-pin", _rewire("U1.D10 -> U2.IN4", "U1.D22 -> U2.IN4")),
    _variant(WEATHER_UNO, "BME280 on D2/D3", "wrong-i2c-pin",
             _both(_rewire("U2.SDA -> U1.A4", "U2.SDA -> U1.D2"), _rewire("U2.SCL -> U1.A5", "U2.SCL -> U1.D3"))),
    _variant(WEATHER_UNO, "bare BME280 chip without pull-ups", "i2c-no-pullup",
             _both(_part("U2", "BME280 chip"), _rewire("U1.5V -> U2.VIN", "U1.3V3 -> U2.VDD"),
                   _rewire("U2.SDA -> U1.A4", "U2.SDI -> U1.A4"), _rewire("U2.SCL -> U1.A5", "U2.SCK -> U1.A5"),
                   _part("U3", "LCD1602 16x2 character LCD"),
                   _drop("U3.SDA -> U1.A4"), _drop("U3.SCL -> U1.A5"))),
    _variant(WEATHER_UNO, "3.3 V chip on 5 V", "supply-range",
             _both(_part("U2", "BME280 chip"), _rewire("U1.5V -> U2.VIN", "U1.5V -> U2.VDD"),
                   _rewire("U2.SDA -> U1.A4", "U2.SDI -> U1.A4"), _rewire("U2.SCL -> U1.A5", "U2.SCK -> U1.A5"))),
    _variant(WEATHER_UNO, "OLED SDA and SCL swapped", "wrong-i2c-pin",
             _both(_rewire("U3.SDA -> U1.A4", "U3.SDA -> U1.A5"), _rewire("U3.SCL -> U1.A5", "U3.SCL -> U1.A4"))),
    _variant(WEATHER_UNO, "two IMUs at 0x68", "i2c-address-conflict",
             _both(_part("U5", "GY-521 MPU6050 module"), _part("U6", "GY-521 MPU6050 module"),
                   _add("U1.5V -> U5.VCC", "U5.GND -> U1.GND", "U5.SDA -> U1.A4", "U5.SCL -> U1.A5",
                        "U1.5V -> U6.VCC", "U6.GND -> U1.GND", "U6.SDA -> U1.A4", "U6.SCL -> U1.A5"))),
    _variant(WEATHER_UNO, "DHT22 without its pull-up", "data-no-pullup",
             _both(_drop("R1.1 -> U4.DATA"), _drop("R1.2 -> U1.5V"))),
    _variant(WEATHER_UNO, "status LED without resistor", "led-no-resistor",
             _both(_drop("U1.D8 -> R2.1"), _rewire("R2.2 -> D1.A", "U1.D8 -> D1.A"))),
    _variant(WEATHER_ESP32, "HC-SR04 echo straight into a GPIO", "logic-level",
             _both(_part("U4", "HC-SR04 ultrasonic sensor"),
                   _add("U1.5V -> U4.VCC", "U4.GND -> U1.GND", "U1.GPIO5 -> U4.TRIG", "U4.ECHO -> U1.GPIO18"))),
    _variant(WEATHER_ESP32, "LED on an input-only pin", "input-only-pin",
             _both(_sketch("const int LED_PIN = 2;", "const int LED_PIN = 35;"),
                   _rewire("U1.GPIO2 -> R1.1", "U1.GPIO35 -> R1.1"))),
    _variant(WEATHER_ESP32, "light sensor on a pin without ADC", "no-analog",
             _both(_sketch("analogRead(34)", "analogRead(23)"), _rewire("R2.2 -> U1.GPIO34", "R2.2 -> U1.GPIO23"),
                   _rewire("U1.GPIO34 -> R3.1", "U1.GPIO23 -> R3.1"))),
    _variant(WEATHER_ESP32, "RFID reader on 5 V", "supply-range",
             _both(_part("U4", "RC522 RFID module"),
                   _add("U1.5V -> U4.3.3V", "U4.GND -> U1.GND", "U4.SDA -> U1.GPIO5", "U4.SCK -> U1.GPIO18",
                        "U4.MOSI -> U1.GPIO23", "U4.MISO -> U1.GPIO19"))),
    _variant(WEATHER_ESP32, "button without pull-up", "floating-input",
             _sketch("pinMode(BUTTON_PIN, INPUT_PULLUP);", "pinMode(BUTTON_PIN, INPUT);")),
    _variant(RELAY_NANO, "bare relay coil on a pin", "inductive-on-pin",
             _both(_part("K1", "SRD-05VDC-SL-C relay"), _drop("U1.5V -> K1.VCC"), _drop("U1.GND -> K1.GND"),
                   _rewire("U1.D7 -> K1.IN", "U1.D7 -> K1.COIL1"), _add("K1.COIL2 -> U1.GND"))),
    _variant(RELAY_NANO, "button on A6", "no-digital",
             _both(_sketch("#define START 2", "#define START A6"), _rewire("U1.D2 -> SW1.1", "U1.A6 -> SW1.1"))),
    _variant(RELAY_NANO, "relay input read instead of driven", "pin-mode-contradiction",
             _both(_sketch("pinMode(RELAY, OUTPUT);", "pinMode(RELAY, INPUT);"),
                   _sketch("digitalWrite(RELAY, HIGH);", "int state = digitalRead(RELAY);"))),
    _variant(RELAY_NANO, "LCD on 3V3", "supply-range", _rewire("U1.5V -> U2.VCC", "U1.3V3 -> U2.VCC")),
    _variant(SERVO_PICO, "servo on 3V3", "supply-range", _rewire("U1.VBUS -> M1.VCC", "U1.3V3 -> M1.VCC")),
    _variant(SERVO_PICO, "pot on a pin without ADC", "no-analog",
             _both(_sketch("analogRead(26)", "analogRead(22)"), _rewire("RV1.2 -> U1.GP26", "RV1.2 -> U1.GP22"))),
    _variant(SERVO_PICO, "VBUS wired to 3V3", "rail-short", _add("U1.VBUS -> U1.3V3")),
    _variant(PARKING_UNO, "mute button on a pin without interrupt", "no-interrupt",
             _both(_sketch("const int MUTE = 2;", "const int MUTE = 7;"), _rewire("U1.D2 -> SW1.1", "U1.D7 -> SW1.1"))),
    _variant(PARKING_UNO, "47 Ω LED resistor", "pin-overcurrent",
             lambda bom, _c, _w: bom["parts"].__setitem__(6, {**bom["parts"][6], "value": "47"})),
    _variant(PARKING_UNO, "two big servos on the 5V pin", "rail-overcurrent",
             _both(_part("M1", "MG996R servo"), _part("M2", "MG996R servo"),
                   _add("U1.5V -> M1.VCC", "M1.GND -> U1.GND", "U1.D11 -> M1.SIGNAL", "U1.5V -> M2.VCC",
                        "M2.GND -> U1.GND", "U1.D12 -> M2.SIGNAL"))),
    _variant(PARKING_UNO, "echo driven as an output", "output-conflict",
             _sketch("pinMode(ECHO, INPUT);", "pinMode(ECHO, OUTPUT);")),
    _variant(PARKING_UNO, "Bluetooth TX to TX", "uart-swapped",
             _both(_part("U3", "HC-05 Bluetooth module"), _add("U1.5V -> U3.VCC", "U3.GND -> U1.GND",
                                                                "U3.TXD -> U1.D1"))),
    _variant(PARKING_UNO, "radio MOSI on the wrong pin", "wrong-spi-pin",
             _both(_part("U3", "nRF24L01"), _sketch("const int TRIG = 9;", "#include <SPI.h>\nconst int TRIG = 9;"),
                   _add("U1.3V3 -> U3.VCC", "U3.GND -> U1.GND", "U3.MOSI -> U1.D8", "U3.MISO -> U1.D12",
                        "U3.SCK -> U1.D13", "U3.CSN -> U1.A1", "U3.CE -> U1.A2"))),
    _variant(PARKING_UNO, "sketch uses a pin the Uno lacks", "unknown-pin",
             _sketch("const int BUZZER = 6;", "const int BUZZER = 26;")),
    _variant(ROBOT_ESP32, "driver ground only on the battery", "no-common-ground", _drop("U2.GND -> U1.GND")),
    _variant(ROBOT_ESP32, "echo divider left out", "logic-level",
             _both(_drop("U3.ECHO -> R1.1"), _rewire("R1.2 -> U1.GPIO18", "U3.ECHO -> U1.GPIO18"),
                   _drop("U1.GPIO18 -> R2.1"), _drop("R2.2 -> U1.GND"))),
    _variant(ROBOT_ESP32, "12 V adapter into the 5V pin", "rail-short",
             _both(_part("PS1", "12V DC power supply"), _add("PS1.+ -> U1.5V", "PS1.- -> U1.GND"))),
)

ALL = (*CLEAN, *SEEDED)
