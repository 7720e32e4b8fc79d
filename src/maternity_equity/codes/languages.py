"""Preferred language: MSDS records an ISO 639-1 code; these are the names shown to people.

The languages most often met in English maternity services; any other code is shown as it is.
"""

from __future__ import annotations

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "cs": "Czech",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian (Farsi)",
    "fr": "French",
    "gu": "Gujarati",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "it": "Italian",
    "ku": "Kurdish",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "ml": "Malayalam",
    "ne": "Nepali",
    "pa": "Punjabi",
    "pl": "Polish",
    "ps": "Pashto",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "so": "Somali",
    "sq": "Albanian",
    "ta": "Tamil",
    "ti": "Tigrinya",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "yo": "Yoruba",
    "zh": "Chinese",
}
