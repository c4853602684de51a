"""sqskit.services"""
