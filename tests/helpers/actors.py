"""The actors the tests act as, one of every role of the cable, and a handover's options."""

ACTORS = {
    "Zhao": "county-officer",
    "Kim": "border-defence",
    "Liu": "foreign-affairs",
    "Wang": "provincial-committee",
    "Sun": "public-security",
}
HANDOVER = {"representative": "Kang Myong-chol", "crossing_point": "Changbai-Hyesan bridge"}
